// The account's content as the simulator holds it: compact records (ids, timestamps,
// content keys and versions) in list order, newest first. Text is regenerated from
// content.ts on demand; an edit bumps a version, so responses are stable until then.
import { DEFAULT_MEDIA_ORIGIN, generateNewsItem, imageUrl, materialName, type ContentSettings } from "./content.ts";
import { SimulatorArgumentError, SimulatorNotFoundError } from "./errors.ts";
import { createRng, hash32, idString, intBetween, type Rng } from "./random.ts";
import type { SeedOptions, SimArticle, SimMaterial, SimMaterialType, SimNewsItem } from "./types.ts";

export const MATERIAL_TYPES: readonly SimMaterialType[] = ["image", "video", "voice", "news"];

interface ItemRec {
  key: number;
  version: number;
  deleted: boolean;
  patch?: Partial<SimNewsItem>;
}

export interface ArticleRec {
  id: string;
  createTime: number;
  updateTime: number;
  items: ItemRec[];
}

export interface MaterialRec {
  id: string;
  type: SimMaterialType;
  key: number;
  version: number;
  createTime: number;
  updateTime: number;
  name?: string;
  items?: ItemRec[];
}

export const DEFAULT_SEED: SeedOptions = { seed: 1, published: 30, materials: { image: 10, video: 3, voice: 3, news: 5 } };

const nowSec = (): number => Math.floor(Date.now() / 1000);

export class ContentState {
  private readonly settings: ContentSettings;
  private readonly maxNewsItems: number;
  private readonly deletedRate: number;
  /** drives ids and structure of seeded and later-added content, in call order */
  private readonly rng: Rng;
  private nextKey = 1;
  private readonly articles: ArticleRec[] = [];
  private readonly articleIndex = new Map<string, ArticleRec>();
  private readonly mats: Record<SimMaterialType, MaterialRec[]> = { image: [], video: [], voice: [], news: [] };
  private readonly matIndex = new Map<string, MaterialRec>();

  /** the seed content is generated from (the CDN's image bytes too) */
  get seed(): number {
    return this.settings.seed;
  }

  /** where content's image URLs point; set once the server's address is known */
  setMediaOrigin(origin: string): void {
    this.settings.mediaOrigin = origin;
  }

  constructor(seed: SeedOptions = DEFAULT_SEED) {
    if (!Number.isInteger(seed.published) || seed.published < 0) throw new SimulatorArgumentError("seed.published must be a non-negative integer");
    this.settings = { seed: seed.seed, contentBytes: seed.contentBytes ?? 2000, mediaOrigin: DEFAULT_MEDIA_ORIGIN };
    this.maxNewsItems = Math.max(1, seed.maxNewsItems ?? 8);
    this.deletedRate = seed.deletedNewsItemRate ?? 0.05;
    this.rng = createRng(hash32(seed.seed, 0x5eed));

    // seeded history: oldest first in time, stored newest first
    let t = 1_600_000_000 + (hash32(seed.seed) % 86_400);
    const seeded: ArticleRec[] = [];
    for (let i = 0; i < seed.published; i++) {
      t += intBetween(this.rng, 600, 7200);
      seeded.push(this.newArticle(t, this.historicUpdate(t), true));
    }
    for (let i = seeded.length - 1; i >= 0; i--) this.insertArticle(seeded[i]!, "tail");

    for (const type of MATERIAL_TYPES) {
      let mt = 1_500_000_000 + (hash32(seed.seed, type.length) % 86_400);
      const recs: MaterialRec[] = [];
      for (let i = 0; i < (seed.materials[type] ?? 0); i++) {
        mt += intBetween(this.rng, 600, 86_400);
        recs.push(this.newMaterial(type, mt, this.historicUpdate(mt)));
      }
      for (let i = recs.length - 1; i >= 0; i--) this.insertMaterial(recs[i]!, "tail");
    }
  }

  private historicUpdate(created: number): number {
    return this.rng() < 0.2 ? created + intBetween(this.rng, 60, 30 * 86_400) : created + intBetween(this.rng, 0, 120);
  }

  private newItems(count: number, allowDeleted: boolean): ItemRec[] {
    const items: ItemRec[] = [];
    for (let i = 0; i < count; i++) {
      items.push({ key: this.nextKey++, version: 0, deleted: allowDeleted && this.rng() < this.deletedRate });
    }
    return items;
  }

  private newArticle(createTime: number, updateTime: number, allowDeleted: boolean): ArticleRec {
    const id = idString(this.rng);
    const n = intBetween(this.rng, 1, this.maxNewsItems);
    return { id, createTime, updateTime, items: this.newItems(n, allowDeleted) };
  }

  private newMaterial(type: SimMaterialType, createTime: number, updateTime: number): MaterialRec {
    const rec: MaterialRec = { id: idString(this.rng), type, key: this.nextKey++, version: 0, createTime, updateTime };
    if (type === "news") rec.items = this.newItems(intBetween(this.rng, 1, this.maxNewsItems), false);
    return rec;
  }

  private insertArticle(rec: ArticleRec, where: "head" | "tail"): void {
    if (where === "head") this.articles.unshift(rec);
    else this.articles.push(rec);
    this.articleIndex.set(rec.id, rec);
  }

  private insertMaterial(rec: MaterialRec, where: "head" | "tail"): void {
    const list = this.mats[rec.type];
    if (where === "head") list.unshift(rec);
    else list.push(rec);
    this.matIndex.set(rec.id, rec);
  }

  // ---- views (what the API serves) ----

  newsItem(rec: ItemRec, idx: number, withContent = true): SimNewsItem {
    const item = { ...generateNewsItem(this.settings, rec.key, rec.version, idx), ...rec.patch, is_deleted: rec.deleted };
    if (!withContent) delete (item as Partial<SimNewsItem>).content;
    return item;
  }

  article(rec: ArticleRec, withContent = true): SimArticle {
    return {
      article_id: rec.id,
      create_time: rec.createTime,
      update_time: rec.updateTime,
      news_item: rec.items.map((it, i) => this.newsItem(it, i, withContent)),
    };
  }

  material(rec: MaterialRec): SimMaterial {
    const m: SimMaterial = { media_id: rec.id, type: rec.type, name: "", create_time: rec.createTime, update_time: rec.updateTime };
    if (rec.type === "news") {
      m.news_item = (rec.items ?? []).map((it, i) => this.newsItem(it, i));
      m.name = rec.name ?? "";
    } else {
      m.name = rec.name ?? materialName(this.settings, rec.key, rec.version, rec.type);
      if (rec.type === "image") m.url = imageUrl(this.settings, rec.key);
    }
    return m;
  }

  published(): SimArticle[] {
    return this.articles.map((a) => this.article(a));
  }

  materials(type: SimMaterialType): SimMaterial[] {
    return this.mats[type].map((m) => this.material(m));
  }

  publishedCount(): number {
    return this.articles.length;
  }

  materialCount(type: SimMaterialType): number {
    return this.mats[type].length;
  }

  /** records at [offset, offset+count) of the current list */
  publishedPage(offset: number, count: number): ArticleRec[] {
    return this.articles.slice(offset, offset + count);
  }

  materialPage(type: SimMaterialType, offset: number, count: number): MaterialRec[] {
    return this.mats[type].slice(offset, offset + count);
  }

  /** ids and timestamps only: cheap enough for 10,000 articles */
  summary(): {
    published: { article_id: string; create_time: number; update_time: number; deleted: boolean[] }[];
    materials: Record<SimMaterialType, { media_id: string; create_time: number; update_time: number }[]>;
  } {
    const mats = {} as Record<SimMaterialType, { media_id: string; create_time: number; update_time: number }[]>;
    for (const type of MATERIAL_TYPES) mats[type] = this.mats[type].map((m) => ({ media_id: m.id, create_time: m.createTime, update_time: m.updateTime }));
    return {
      published: this.articles.map((a) => ({ article_id: a.id, create_time: a.createTime, update_time: a.updateTime, deleted: a.items.map((i) => i.deleted) })),
      materials: mats,
    };
  }

  // ---- drift ----

  /** strictly later than `prev`, so every change is visible in update_time */
  private bump(prev: number): number {
    return Math.max(nowSec(), prev + 1);
  }

  /** `at` (seconds): the publish time, when replaying an earlier publish */
  publish(count = 1, at?: number): SimArticle[] {
    const out: ArticleRec[] = [];
    for (let i = 0; i < count; i++) {
      const t = at ?? this.bump(this.articles[0]?.createTime ?? 0);
      const rec = this.newArticle(t, t, false);
      this.insertArticle(rec, "head");
      out.push(rec);
    }
    return out.map((r) => this.article(r));
  }

  /** the record of a listed article (undefined once deleted) */
  articleById(articleId: string): ArticleRec | undefined {
    return this.articleIndex.get(articleId);
  }

  private findArticle(articleId: string): ArticleRec {
    const rec = this.articleIndex.get(articleId);
    if (!rec) throw new SimulatorNotFoundError("article", articleId);
    return rec;
  }

  deleteArticle(articleId: string): void {
    const rec = this.findArticle(articleId);
    this.articles.splice(this.articles.indexOf(rec), 1);
    this.articleIndex.delete(articleId);
  }

  /** WeChat's delete by index: the item stays in the list, flagged is_deleted */
  deleteNewsItem(articleId: string, idx: number): void {
    const rec = this.findArticle(articleId);
    const item = rec.items[idx];
    if (!item) throw new SimulatorNotFoundError("news item", `${articleId}#${idx}`);
    item.deleted = true;
    rec.updateTime = this.bump(rec.updateTime);
  }

  /** new text (version bump) for item `idx`, or every item when omitted; `patch` overrides fields */
  editArticle(articleId: string, patch?: Partial<SimNewsItem>, idx?: number): void {
    const rec = this.findArticle(articleId);
    const targets = idx === undefined ? rec.items : [rec.items[idx]];
    if (targets.some((t) => !t)) throw new SimulatorNotFoundError("news item", `${articleId}#${idx}`);
    for (const it of targets as ItemRec[]) {
      it.version++;
      if (patch) {
        const { is_deleted, ...rest } = patch;
        if (is_deleted !== undefined) it.deleted = is_deleted;
        it.patch = { ...it.patch, ...rest };
      }
    }
    rec.updateTime = this.bump(rec.updateTime);
  }

  addMaterial(type: SimMaterialType, count = 1): SimMaterial[] {
    if (!MATERIAL_TYPES.includes(type)) throw new SimulatorArgumentError(`unknown material type ${String(type)}`);
    const out: MaterialRec[] = [];
    for (let i = 0; i < count; i++) {
      const t = this.bump(this.mats[type][0]?.createTime ?? 0);
      const rec = this.newMaterial(type, t, t);
      this.insertMaterial(rec, "head");
      out.push(rec);
    }
    return out.map((r) => this.material(r));
  }

  private findMaterial(mediaId: string): MaterialRec {
    const rec = this.matIndex.get(mediaId);
    if (!rec) throw new SimulatorNotFoundError("material", mediaId);
    return rec;
  }

  deleteMaterial(mediaId: string): void {
    const rec = this.findMaterial(mediaId);
    const list = this.mats[rec.type];
    list.splice(list.indexOf(rec), 1);
    this.matIndex.delete(mediaId);
  }

  /** new name (or the given one); news materials also get new text in every item */
  editMaterial(mediaId: string, patch?: { name?: string }): void {
    const rec = this.findMaterial(mediaId);
    rec.version++;
    if (patch?.name !== undefined) rec.name = patch.name;
    for (const it of rec.items ?? []) it.version++;
    rec.updateTime = this.bump(rec.updateTime);
  }
}
