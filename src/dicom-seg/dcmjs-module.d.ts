// dcmjs 0.50 ships no type declarations; ./dcmjs.ts types the part HoloCT uses.
declare module 'dcmjs';
