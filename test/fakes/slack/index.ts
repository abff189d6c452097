export { FakeSlack, startFakeSlack, slackSignature, type FakeCall, type FakeFile, type FakeMessage, type EnvelopeAck, type HttpDelivery } from './FakeSlack.js';
export { slackAdapterForFake, routeFakeToHttp, FAKE_SIGNING_SECRET } from './adapterForFake.js';
