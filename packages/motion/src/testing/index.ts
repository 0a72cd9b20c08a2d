export { encodeOnnxModel, ONNX_TYPE } from './onnx-encoder.ts';
export type { OnnxAttribute, OnnxElementType, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-encoder.ts';
export { buildTestDenoiser, DENOISER_INPUTS } from './test-denoiser.ts';
export type { DenoiserInputName, TestDenoiserOptions } from './test-denoiser.ts';
export { TEST_CHANNEL_MEAN, TEST_CHANNEL_STD, writeTestPack } from './test-pack.ts';
export type { TestPack, TestPackOptions } from './test-pack.ts';
