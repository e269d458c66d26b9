// The prompts' public entry: the service, taking audio uploads and turning
// them into telephony audio (voicemail greetings use both). Other services
// import from here, never from the prompts' own modules.

export { promptsService } from './service.js';
export type { PromptInfo, PromptsService } from './service.js';
export { AUDIO_BODY_LIMIT, AUDIO_CONTENT_TYPES, acceptAudioBodies } from './upload.js';
export { SUPPORTED_RATES, convertToTelephony } from './convert.js';
export type { ConvertedAudio } from './convert.js';
