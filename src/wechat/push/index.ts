// WeChat message push: crypto, XML and message decoding (knows nothing of the database).
export * from "./crypto.ts";
export * from "./message.ts";
export { buildPushXml, parsePushXml, PushXmlError, type XmlObject } from "./xml.ts";
