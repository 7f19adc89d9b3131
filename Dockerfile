# syntax=docker/dockerfile:1
# One image for every AuditSeal service; the command picks the service:
#   node services/chainer/dist/main.js | services/archiver/dist/main.js |
#   services/verifier/dist/main.js | services/cli/dist/main.js <command> |
#   services/demo/dist/main.js produce …
# Configuration is the environment (docs/OPERATIONS.md). Build: docker build -t auditseal .
ARG NODE_IMAGE=node:22-bookworm-slim

# ---------------------------------------------------------------- build
FROM ${NODE_IMAGE} AS build
ENV CI=true COREPACK_ENABLE_DOWNLOAD_PROMPT=0
WORKDIR /app
# pnpm at the version package.json pins (packageManager), through corepack.
# A current corepack first: older ones cannot verify the signatures of newer pnpm releases.
RUN npm install -g corepack@0.36.0 && corepack enable
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
RUN corepack install
# Fetch every package of the lockfile once (cached layer while the lockfile is unchanged).
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm exec turbo run build --filter='./packages/*' --filter='./services/*'
# Production dependencies only: reinstall from the same store without devDependencies,
# then drop sources, tests and build leftovers.
RUN find . -name node_modules -type d -prune -exec rm -rf {} + \
 && pnpm install --offline --frozen-lockfile --prod \
 && rm -rf bench docs .turbo \
 && find packages services -path '*/node_modules' -prune -o \
      \( -name src -o -name '*.tsbuildinfo' -o -name '*.map' -o -name 'tsconfig*.json' \) -prune -exec rm -rf {} +

# ---------------------------------------------------------------- runtime
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Files belong to root and are read-only to the service user; only the key
# volume (archiver development key) is writable.
COPY --from=build /app /app
RUN mkdir -p /var/lib/auditseal/keys && chown node:node /var/lib/auditseal/keys
# The `node` user of the official image (uid 1000), never root.
USER node
EXPOSE 9464 9465 9466
CMD ["node", "services/cli/dist/main.js", "--help"]
