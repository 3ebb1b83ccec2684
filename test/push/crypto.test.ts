// The push crypto against wechatpy's published vectors (tests/test_crypto.py: token 123456,
// EncodingAESKey kWxPEV2U…, app id wx49f0ab532d5d035a) and every message length.
import { createCipheriv, createDecipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import { aesKeyOf, decodePush, decryptPush, encodePush, encryptPush, isEncodingAesKey, pad32, pushSignature, PushCryptoError, PushRejectedError, unpad32, verifyUrlCheck } from "../../src/wechat/push/index.ts";

const TOKEN = "123456";
const AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const APP_ID = "wx49f0ab532d5d035a";
const key = aesKeyOf(AES_KEY);

// test_check_signature_should_ok: msg_signature over token, timestamp, nonce and the encrypted echostr
const ECHO = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==";
// test_decrypt_message
const ENCRYPTED =
  "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=";
// test_encrypt_message: random "1234567890123456", timestamp 1411525903, nonce 461056294
const REPLY = `<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>`;
const REPLY_ENCRYPTED =
  "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3";

describe("the published vector (wechatpy tests/test_crypto.py)", () => {
  it("signature of the URL-check vector and its decryption", () => {
    expect(pushSignature(TOKEN, "1411443780", "437374425", ECHO)).toBe("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96");
    // a changed nonce (test_check_signature_should_fail) gives another signature
    expect(pushSignature(TOKEN, "1411443780", "437374424", ECHO)).not.toBe("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96");
    expect(decryptPush(key, ECHO, APP_ID)).toBe("5927782489442352469");
  });

  it("decrypts the message vector and checks its msg_signature", () => {
    expect(pushSignature(TOKEN, "1411525903", "461056294", ENCRYPTED)).toBe("74d92dfeb87ba7c714f89d98870ae5eb62dff26d");
    const body = `<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA[${ENCRYPTED}]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>`;
    const d = decodePush({ timestamp: "1411525903", nonce: "461056294", encrypt_type: "aes", msg_signature: "74d92dfeb87ba7c714f89d98870ae5eb62dff26d" }, body, { token: TOKEN, aesKey: AES_KEY, appId: APP_ID });
    expect(d.fields.Content).toBe("test");
    expect(d.fields.FromUserName).toBe("messense");
    expect(d.fields.MsgId).toBe("4363689963896700987");
  });

  it("encrypts to the vector's ciphertext with its fixed random bytes, and signs it as wechatpy does", () => {
    const enc = encryptPush(key, APP_ID, REPLY, Buffer.from("1234567890123456"));
    expect(enc).toBe(REPLY_ENCRYPTED);
    expect(pushSignature(TOKEN, "1411525903", "461056294", enc)).toBe("407518b7649e86ef23978113f92d27afa9296533");
  });

  it("refuses the vector for another app id", () => {
    expect(() => decryptPush(key, ECHO, "wx0000000000000000")).toThrow(PushCryptoError);
    try {
      decryptPush(key, ECHO, "wx49f0ab532d5d035b");
    } catch (e) {
      expect((e as PushCryptoError).reason).toBe("bad-app-id");
    }
  });
});

describe("32-byte PKCS#7 padding", () => {
  it("every pad value 1..32 round-trips (message lengths over two blocks)", () => {
    const pads = new Set<number>();
    for (let len = 0; len < 96; len++) {
      const msg = "x".repeat(len);
      const enc = encryptPush(key, APP_ID, msg);
      // 16 random + 4 length + msg + 18 app id bytes, padded to 32
      const pad = 32 - ((16 + 4 + len + APP_ID.length) % 32);
      pads.add(pad);
      expect(Buffer.from(enc, "base64").length % 32).toBe(0);
      expect(decryptPush(key, enc, APP_ID)).toBe(msg);
    }
    expect([...pads].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  it("multi-byte UTF-8 messages: the length field counts bytes", () => {
    for (const msg of ["发布成功", "a😀b", "é".repeat(33)]) expect(decryptPush(key, encryptPush(key, APP_ID, msg), APP_ID)).toBe(msg);
  });

  it("Node's automatic padding would fail on pad values 17..32 (why it is off)", () => {
    // a plaintext padded with 20 by WeChat's rule: Node's 16-byte unpadding refuses it
    const plain = pad32(Buffer.alloc(44, 1));
    expect(plain.at(-1)).toBe(20);
    const c = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
    c.setAutoPadding(false);
    const enc = Buffer.concat([c.update(plain), c.final()]);
    const d = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
    expect(() => Buffer.concat([d.update(enc), d.final()])).toThrow();
    expect(unpad32(plain).length).toBe(44);
  });

  it("refuses bad padding, truncation and garbage", () => {
    expect(() => unpad32(Buffer.from([1, 2, 3, 0]))).toThrow(PushCryptoError);
    expect(() => unpad32(Buffer.from([1, 2, 2, 3]))).toThrow(PushCryptoError);
    expect(() => decryptPush(key, ECHO.slice(0, 40), APP_ID)).toThrow(PushCryptoError);
    expect(() => decryptPush(key, "not base64!", APP_ID)).toThrow(PushCryptoError);
    const other = aesKeyOf("a".repeat(43));
    expect(() => decryptPush(other, ECHO, APP_ID)).toThrow(PushCryptoError);
  });
});

describe("keys and signatures", () => {
  it("an EncodingAESKey is 43 base64 characters", () => {
    expect(isEncodingAesKey(AES_KEY)).toBe(true);
    expect(isEncodingAesKey(AES_KEY.slice(1))).toBe(false);
    expect(isEncodingAesKey(`${AES_KEY.slice(1)}!`)).toBe(false);
    expect(() => aesKeyOf("short")).toThrow(RangeError);
  });

  it("the URL check answers echostr only for the token's signature", () => {
    const q = { timestamp: "1411443780", nonce: "437374425", echostr: "hello 123" };
    expect(verifyUrlCheck({ ...q, signature: pushSignature(TOKEN, q.timestamp, q.nonce) }, TOKEN)).toBe("hello 123");
    expect(() => verifyUrlCheck({ ...q, signature: pushSignature("other", q.timestamp, q.nonce) }, TOKEN)).toThrow(PushRejectedError);
    expect(() => verifyUrlCheck({ ...q }, TOKEN)).toThrow(PushRejectedError);
  });

  it("encodePush and decodePush agree in the three modes", () => {
    const message = `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[oHelper]]></FromUserName><CreateTime>1481013459</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo><publish_id>2247503051</publish_id><publish_status>2</publish_status><fail_idx>1</fail_idx><fail_idx>3</fail_idx></PublishEventInfo></xml>`;
    const creds = { token: TOKEN, aesKey: AES_KEY, appId: APP_ID };
    for (const mode of ["plaintext", "compatible", "safe"] as const) {
      const { query, body } = encodePush(message, creds, mode, { timestamp: "1700000000", nonce: "42", toUserName: "gh_x" });
      const d = decodePush(query, body, creds);
      expect(d.mode).toBe(mode);
      expect(d.publish).toEqual({ publishId: "2247503051", publishStatus: 2, articleId: null, failIdx: [1, 3], articleUrls: [] });
    }
  });
});
