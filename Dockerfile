# syntax=docker/dockerfile:1
# mpsync: the worker (and its HTTP server) and the one-shot `migrate`, from one image.
# The image runs the compiled JavaScript (`npm run build`: dist/), not the TypeScript
# through tsx: the process starts faster and holds no transpiler (see README, "Compiled build").

ARG NODE_IMAGE=node:22-bookworm-slim

# --- build: every package (TypeScript among the dev ones), the Prisma client, dist/ -----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json ./
# postinstall runs scripts/prisma-generate.mjs, which reads prisma/ and writes src/store/generated/
COPY scripts/prisma-generate.mjs scripts/
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY jobs ./jobs
COPY src ./src
RUN npm run build

# --- dependencies: production packages only --------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma ./prisma
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# A bounded heap: a sync needs ~75 MB of it; without a limit V8 grows the heap towards a
# quarter of the machine before collecting, and RSS follows (see docs/benchmark.md).
# Semi-spaces of 8 MB instead of 16: a young generation of 16 MB, not 32, is 15-20 MB less
# RSS for ~2% more CPU in scavenges (docs/benchmark.md, "Memory"; npm run bench uses the same flags).
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 LOG_LEVEL=info NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=8"
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
# package.json: the version and "type": "module" of dist/; prisma/: the migrations `migrate` applies
COPY --chown=root:root package.json ./
COPY --chown=root:root prisma ./prisma
COPY --from=build --chown=root:root /app/dist ./dist
# the media volume (docker-compose.yml) starts with this owner
RUN mkdir -p /var/lib/mpsync/media && chown node:node /var/lib/mpsync/media
# the code is read-only to the user that runs it
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/bin/mpsync.js"]
CMD ["worker"]
