# syntax=docker/dockerfile:1
# mpsync: the worker (and its HTTP server) and the one-shot `migrate`, from one image.
# The app runs its TypeScript directly (bin/mpsync.js registers tsx): no build step.

ARG NODE_IMAGE=node:22-bookworm-slim

# --- dependencies: production packages and the generated Prisma client -----------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json ./
# postinstall runs scripts/prisma-generate.mjs, which reads prisma/ and writes src/store/generated/
COPY scripts/prisma-generate.mjs scripts/
COPY prisma ./prisma
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# A bounded heap: a sync needs ~75 MB of it; without a limit V8 grows the heap towards a
# quarter of the machine before collecting, and RSS follows (see docs/benchmark.md).
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 LOG_LEVEL=info NODE_OPTIONS=--max-old-space-size=160
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json tsconfig.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root prisma ./prisma
COPY --chown=root:root jobs ./jobs
COPY --chown=root:root src ./src
COPY --from=deps --chown=root:root /app/src/store/generated ./src/store/generated
# the media volume (docker-compose.yml) starts with this owner
RUN mkdir -p /var/lib/mpsync/media && chown node:node /var/lib/mpsync/media
# the code is read-only to the user that runs it; tsx keeps its cache under /tmp
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/mpsync.js"]
CMD ["worker"]
