/**
 * DICOM Segmentation room: label map ⇄ DICOM SEG referencing the source CT series (dcmjs encodes and
 * decodes). No DOM, no Node API: runs in the worker, the app, the CLI and tests.
 */
export { readSegSource, describeStudyModule, SegSourceError, STUDY_MODULE_KEYWORDS, type SegSource, type SourceImageRef, type StudyModule } from './source';
export { writeSegmentation, algorithmOf, SegWriteError, SEG_SOP_CLASS_UID, type SegAlgorithm, type WriteSegOptions, type WrittenSeg } from './write';
export { readSegmentation, segmentsToClasses, SegReadError, type ReadSeg, type SegSegment } from './read';
export { STRUCTURE_CODES, codesForClass, type CodedConcept, type StructureCodes } from './codes';
export { newUid } from './uid';
