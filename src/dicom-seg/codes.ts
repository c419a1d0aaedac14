/**
 * What each HoloCT structure is, in the terms a PACS and a DICOM viewer understand: the SNOMED CT
 * category and type codes of a DICOM SEG segment (PS3.3 C.8.20.2, context groups CID 7150
 * "Segmentation Property Category" and CID 7151 "Segmentation Property Type").
 *
 * One table keyed by the class `name` of the model manifest (training/classes.json). It lives here,
 * not in the manifest, because the manifest is rebuilt by training; a unit test fails when a class of
 * the shipped manifest has no entry, so a new class cannot ship without its codes.
 *
 * Sources of the codes: DICOM PS3.16 CID 7150 (Tissue 85756007; Anatomical Structure 123037004, the
 * code dcmqi, MHub's TotalSegmentator export and IDC use), the SNOMED CT body-structure concepts of
 * CID 7151's anatomy groups (Bone 272673000, Liver 10200004, Spleen 78961009, Kidney 64033007,
 * Lung 39607008, Heart 80891009, Gastrointestinal tract 122865005), and 3D Slicer's General Anatomy
 * terminology for vessels (Artery 51114001 and Vein 29092000 under Tissue). HoloCT's classes are
 * groups ("Aorta & arteries", "Other organs"), so each gets the general concept that covers it.
 */

/** One coded concept (a Code Sequence item). */
export interface CodedConcept {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export interface StructureCodes {
  category: CodedConcept;
  type: CodedConcept;
  /**
   * The same type in SNOMED-RT ("SRT"), the scheme older SEGs use (dcmqi, 3D Slicer before 2019):
   * read only, to recognise such a SEG's segments. From DICOM CID 6204's SNOMED-RT IDs.
   */
  legacyType?: CodedConcept;
}

const sct = (CodeValue: string, CodeMeaning: string): CodedConcept => ({ CodeValue, CodingSchemeDesignator: 'SCT', CodeMeaning });
const srt = (CodeValue: string, CodeMeaning: string): CodedConcept => ({ CodeValue, CodingSchemeDesignator: 'SRT', CodeMeaning });

const TISSUE = sct('85756007', 'Tissue');
const ANATOMICAL_STRUCTURE = sct('123037004', 'Anatomical Structure');

/** Codes per manifest class name. */
export const STRUCTURE_CODES: Readonly<Record<string, StructureCodes>> = {
  bone: { category: TISSUE, type: sct('272673000', 'Bone'), legacyType: srt('T-D016E', 'Bone') },
  arteries: { category: TISSUE, type: sct('51114001', 'Artery') },
  veins: { category: TISSUE, type: sct('29092000', 'Vein') },
  liver: { category: ANATOMICAL_STRUCTURE, type: sct('10200004', 'Liver'), legacyType: srt('T-62000', 'Liver') },
  spleen: { category: ANATOMICAL_STRUCTURE, type: sct('78961009', 'Spleen'), legacyType: srt('T-C3000', 'Spleen') },
  kidneys: { category: ANATOMICAL_STRUCTURE, type: sct('64033007', 'Kidney'), legacyType: srt('T-71000', 'Kidney') },
  lungs: { category: ANATOMICAL_STRUCTURE, type: sct('39607008', 'Lung'), legacyType: srt('T-28000', 'Lung') },
  heart: { category: ANATOMICAL_STRUCTURE, type: sct('80891009', 'Heart') },
  digestive: { category: ANATOMICAL_STRUCTURE, type: sct('122865005', 'Gastrointestinal tract') },
  other_organs: { category: ANATOMICAL_STRUCTURE, type: sct('113343008', 'Organ') },
};

/** DICOM's code for how the segments were made (CID 7162 "Surface Processing Algorithm Family"). */
export const ALGORITHM_FAMILY_AI: CodedConcept = { CodeValue: '123110', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Artificial Intelligence' };

/** The codes of one class; throws naming the class when the table has none. */
export function codesForClass(name: string): StructureCodes {
  const codes = STRUCTURE_CODES[name];
  if (!codes) {
    throw new Error(`class "${name}" has no SNOMED CT codes for DICOM SEG export: add it to STRUCTURE_CODES in src/dicom-seg/codes.ts`);
  }
  return codes;
}

/** Same concept: same scheme and value (meanings may be worded differently). */
export function sameConcept(a: Pick<CodedConcept, 'CodeValue' | 'CodingSchemeDesignator'>, b: Pick<CodedConcept, 'CodeValue' | 'CodingSchemeDesignator'>): boolean {
  return a.CodeValue === b.CodeValue && a.CodingSchemeDesignator === b.CodingSchemeDesignator;
}
