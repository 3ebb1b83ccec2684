// A deterministic Chinese and English corpus for the search benchmark: news items whose
// bodies are WeChat-like HTML of about `bodyBytes`, words drawn from a Zipf distribution
// over a made-up vocabulary (so some words are in nearly every item and most are rare),
// with a little English. The bench's queries name words by frequency rank.
import { createRng, intBetween, type Rng } from "../src/simulator/random.ts";

// Common characters; the vocabulary's words are made of them.
const CHARS =
  "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞";
const ENGLISH = [
  "data", "market", "growth", "digital", "report", "energy", "policy", "research", "design", "service",
  "cloud", "security", "network", "mobile", "platform", "customer", "product", "quality", "travel", "health",
  "running", "learning", "building", "teaching", "planning", "testing", "shipping", "reading", "writing", "studies",
];

export interface SearchCorpus {
  /** the vocabulary, most frequent first (Zipf rank 1 = words[0]) */
  words: string[];
  item(i: number): { title: string; digest: string; content: string };
}

/** Zipf(1) sampler over n ranks: the cumulative weights, searched by bisection. */
function zipf(n: number): (rng: Rng) => number {
  const cum = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cum[r] = total += 1 / (r + 1);
  return (rng) => {
    const x = rng() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function searchCorpus(seed: number, bodyBytes: number, vocabulary = 20_000): SearchCorpus {
  const rng = createRng(seed);
  const seen = new Set<string>();
  const words: string[] = [];
  while (words.length < vocabulary) {
    // mostly two-character words, as in Chinese text; some of three and four, a few single
    const r = rng();
    const len = r < 0.08 ? 1 : r < 0.78 ? 2 : r < 0.9 ? 3 : 4;
    let w = "";
    for (let i = 0; i < len; i++) w += CHARS[Math.floor(rng() * CHARS.length)];
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  const rank = zipf(words.length);
  const sentence = (r: Rng, n: number): string => {
    let s = "";
    for (let i = 0; i < n; i++) s += r() < 0.04 ? ` ${ENGLISH[Math.floor(r() * ENGLISH.length)]} ` : words[rank(r)];
    return s + (r() < 0.7 ? "。" : "，");
  };
  return {
    words,
    item(i) {
      const r = createRng(seed ^ (i * 2654435761));
      const title = sentence(r, intBetween(r, 3, 7)).slice(0, -1);
      const digest = sentence(r, intBetween(r, 5, 12));
      let content = `<section style="margin:0 8px;">`;
      while (Buffer.byteLength(content) < bodyBytes) {
        let text = "";
        for (let k = intBetween(r, 2, 5); k > 0; k--) text += sentence(r, intBetween(r, 6, 14));
        content += r() < 0.15 ? `<p style="line-height:1.75em;"><span style="font-size:15px;"><strong>${text}</strong></span></p>` : `<p style="line-height:1.75em;"><span style="font-size:15px;">${text}</span></p>`;
      }
      return { title, digest, content: content + "</section>" };
    },
  };
}
