# syntax=docker/dockerfile:1
# opsline images (docs/hosting.md). Two targets:
#   docker build --target bot -t opsline .        the bot and worker (default: the last stage)
#   docker build --target agent -t opsline-agent .  the device agent, with xorriso
# Both run as the unprivileged user `opsline` with `opsline` as the entrypoint: `docker run opsline start`.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY bench ./bench
RUN npx tsc -p tsconfig.build.json

# Production dependencies only: no TypeScript, test or lint tools in the image.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# A fixed uid so volumes and Kubernetes securityContext can name it.
RUN groupadd --system --gid 10001 opsline \
  && useradd --system --uid 10001 --gid opsline --home-dir /var/lib/opsline --shell /usr/sbin/nologin opsline \
  && mkdir -p /etc/opsline /var/lib/opsline /srv/images \
  && chown opsline:opsline /var/lib/opsline /srv/images
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
RUN ln -s /app/dist/src/cli.js /usr/local/bin/opsline && chmod 0755 /app/dist/src/cli.js
ENV OPSLINE_CONFIG=/etc/opsline/opsline.yaml
USER opsline
EXPOSE 3000
ENTRYPOINT ["opsline"]
CMD ["--help"]

# The device agent: xorriso burns and verifies. For a real drive the container needs the device and the
# cdrom group, which owns /dev/sr0 on Debian:
#   docker run --device /dev/sr0 --group-add cdrom opsline-agent agent
# (compose: `devices: ["/dev/sr0:/dev/sr0"]` and `group_add: [cdrom]`). The user is in cdrom in the image too,
# for hosts where the group ids match.
FROM runtime AS agent
USER root
RUN apt-get update \
  && apt-get install -y --no-install-recommends xorriso \
  && rm -rf /var/lib/apt/lists/* \
  && usermod -aG cdrom opsline
USER opsline
EXPOSE 5555
CMD ["agent"]

FROM runtime AS bot
CMD ["start"]
