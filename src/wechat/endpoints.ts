// API paths (never with their query: the query holds the token).
export const ENDPOINTS = {
  publishedList: "/cgi-bin/freepublish/batchget",
  materialList: "/cgi-bin/material/batchget_material",
  materialCount: "/cgi-bin/material/get_materialcount",
  /** one published article by article_id (message push: a publish job finished) */
  getArticle: "/cgi-bin/freepublish/getarticle",
  quota: "/cgi-bin/openapi/quota/get",
  stableToken: "/cgi-bin/stable_token",
  legacyToken: "/cgi-bin/token",
  componentToken: "/cgi-bin/component/api_component_token",
  authorizerToken: "/cgi-bin/component/api_authorizer_token",
} as const;
