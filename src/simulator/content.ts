// Deterministic article and material content. Everything is a pure function of
// (seed, key, version): the state stores only those numbers and regenerates text on
// demand, so 10,000 articles of 8 KB bodies cost kilobytes, not 160 MB.
import type { SimMaterialType, SimNewsItem } from "./types.ts";
import { createRng, hash32, hexString, idString, intBetween, pick, type Rng } from "./random.ts";

const TOPICS = [
  "城市更新", "乡村振兴", "数字经济", "人工智能", "新能源汽车", "碳中和", "高质量发展", "文化自信",
  "科技创新", "教育改革", "健康中国", "营商环境", "智慧城市", "非遗传承", "一带一路", "消费升级",
  "夜间经济", "垃圾分类", "老旧小区改造", "职业教育", "冬奥精神", "国潮品牌", "直播带货", "航天工程",
];
const TITLE_TEMPLATES = [
  "{t}：我们这样走过的十年", "一图读懂{t}", "关于{t}，你需要知道的5件事", "{t}的新答卷",
  "聚焦{t} | 基层一线的真实故事", "专家解读：{t}下一步怎么走", "{t}，看这里！", "这份{t}指南请收好",
  "【深度】{t}背后的逻辑", "{t}进行时", "重磅！{t}最新政策发布", "周末读书 | 重新认识{t}",
];
const AUTHORS = ["小编", "张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "本刊评论员", "新闻中心", "融媒体中心", ""];
const SENTENCES = [
  "近年来，各地积极探索，形成了一批可复制、可推广的经验做法。",
  "记者在走访中发现，越来越多的年轻人选择回到家乡创业。",
  "这一变化的背后，是无数普通人的默默坚守与不懈努力。",
  "数据显示，相关指标同比增长超过两成，创下历史新高。",
  "业内人士指出，下一步的关键在于打通政策落地的“最后一公里”。",
  "清晨六点，街道上已经有了忙碌的身影。",
  "“我们要做的，就是把每一件小事做好。”他笑着说。",
  "从试点到推广，这条路走了整整五年。",
  "专家建议，应当进一步完善配套措施，加强统筹协调。",
  "不少市民表示，生活确实变得更加便利了。",
  "与此同时，新的问题和挑战也随之而来。",
  "这不仅是一次技术上的突破，更是理念上的转变。",
  "活动现场气氛热烈，吸引了上千名观众前来参与。",
  "据了解，该项目总投资约十二亿元，预计明年年底完工。",
];
const DIGESTS = [
  "一起来看看吧！", "点击阅读全文了解详情。", "这些变化，你感受到了吗？", "转发收藏，以备不时之需。",
  "权威发布，速看！", "每一个数字背后，都是一段故事。", "",
];

export interface ContentSettings {
  seed: number;
  contentBytes: number;
  /** origin of image URLs (the CDN; the simulator itself under media.origin "self") */
  mediaOrigin: string;
}

export const DEFAULT_MEDIA_ORIGIN = "http://mmbiz.qpic.cn";

/** Images many articles share (the account's logo, its QR code…): one URL in many bodies. */
function sharedImage(s: ContentSettings, rng: Rng): string {
  const rngShared = createRng(hash32(s.seed, 0x54a4ed, Math.floor(rng() * 4)));
  // the /0 and /640 variants of one image are identical bytes on the simulated CDN
  return `${s.mediaOrigin}/mmbiz_jpg/${idString(rngShared, 40)}/${rng() < 0.5 ? 0 : 640}?wx_fmt=jpeg`;
}

function biz(seed: number): string {
  return Buffer.from(String(3000000000 + (hash32(seed, 7) % 900000000))).toString("base64");
}

// Like WeChat's bodies: lazy images (data-src, no src), CSS background images, and inline
// visibility: hidden / opacity: 0 that only WeChat's page script lifts.
function body(s: ContentSettings, rng: Rng, targetBytes: number): string {
  const parts: string[] = ["<section style=\"margin:0 8px;visibility: hidden;\">"];
  let bytes = parts[0]!.length + 10;
  let paragraph = 0;
  while (bytes < targetBytes) {
    let piece: string;
    if (paragraph % 4 === 3) {
      const src = rng() < 0.15 ? sharedImage(s, rng) : `${s.mediaOrigin}/mmbiz_jpg/${idString(rng, 40)}/640?wx_fmt=jpeg`;
      piece =
        `<p style="text-align:center;"><img class="rich_pages wxw-img" data-ratio="0.75" data-type="jpeg" data-w="1080" ` +
        `data-src="${src.replace(/&/g, "&amp;")}" style="width:100%;"></p>`;
    } else if (paragraph % 9 === 5) {
      piece =
        `<section style="background-image: url(&quot;${s.mediaOrigin}/mmbiz_png/${idString(rng, 40)}/640?wx_fmt=png&quot;);background-size: cover;opacity: 0;">` +
        `<p style="padding:24px;"><span style="font-size:15px;">${pick(rng, SENTENCES)}</span></p></section>`;
    } else {
      let text = "";
      const n = intBetween(rng, 2, 5);
      for (let i = 0; i < n; i++) text += pick(rng, SENTENCES);
      piece = `<p style="line-height:1.75em;"><span style="font-size:15px;">${text}</span></p>`;
    }
    parts.push(piece);
    bytes += Buffer.byteLength(piece);
    paragraph++;
  }
  parts.push("</section>");
  return parts.join("");
}

/** One news item; `idx` is its position in the article (the url's idx). Text changes with `version`. */
export function generateNewsItem(s: ContentSettings, key: number, version: number, idx: number): SimNewsItem {
  const fixed = createRng(hash32(s.seed, key, 0x51ed));
  const mid = 2247480000 + (hash32(s.seed, key) % 100000);
  const sn = hexString(fixed, 32);
  const thumbMediaId = idString(fixed);
  const thumbUrl = `${s.mediaOrigin}/mmbiz_jpg/${idString(fixed, 40)}/0?wx_fmt=jpeg`;
  const sourceUrl = fixed() < 0.3 ? `https://www.example.cn/news/${intBetween(fixed, 10000, 99999)}.html` : "";

  const rng = createRng(hash32(s.seed, key, version));
  const topic = pick(rng, TOPICS);
  const title = pick(rng, TITLE_TEMPLATES).replace("{t}", topic) + (version > 0 ? `（更新${version}）` : "");
  const size = Math.max(64, Math.round(s.contentBytes * (0.75 + rng() * 0.5)));
  return {
    title,
    author: pick(rng, AUTHORS),
    digest: `${topic}${pick(rng, DIGESTS)}`,
    content: body(s, rng, size),
    content_source_url: sourceUrl,
    thumb_media_id: thumbMediaId,
    thumb_url: thumbUrl,
    show_cover_pic: rng() < 0.5 ? 1 : 0,
    need_open_comment: rng() < 0.7 ? 1 : 0,
    only_fans_can_comment: rng() < 0.2 ? 1 : 0,
    url: `http://mp.weixin.qq.com/s?__biz=${biz(s.seed)}&mid=${mid}&idx=${idx + 1}&sn=${sn}&chksm=${hexString(fixed, 24)}#rd`,
    is_deleted: false,
  };
}

const EXT: Record<Exclude<SimMaterialType, "news">, string[]> = {
  image: ["jpg", "png", "jpeg", "gif"],
  video: ["mp4"],
  voice: ["mp3", "amr"],
};
const NAME_WORDS = ["封面", "活动现场", "采访", "宣传片", "配图", "海报", "录音", "专访", "航拍", "合影"];

/** Name of a non-news material; changes with `version`. */
export function materialName(s: ContentSettings, key: number, version: number, type: Exclude<SimMaterialType, "news">): string {
  const rng = createRng(hash32(s.seed, key, version, 0xa11));
  return `${pick(rng, NAME_WORDS)}${intBetween(rng, 1, 999)}.${pick(rng, EXT[type])}`;
}

export function imageUrl(s: ContentSettings, key: number): string {
  const rng = createRng(hash32(s.seed, key, 0x1a6e));
  return `${s.mediaOrigin}/mmbiz_jpg/${idString(rng, 60)}/0?wx_fmt=jpeg`;
}
