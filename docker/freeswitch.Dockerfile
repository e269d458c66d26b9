# Tenor with FreeSWITCH as its engine, in one image: FreeSWITCH is built by
# scripts/build-freeswitch.sh from the same pinned tarballs the tests use
# (../shared/vendor), and Tenor starts and stops it (telephony.driver:
# freeswitch, freeswitch.prefix: /opt/freeswitch), so prompts, recordings and
# AMD's audio are on one filesystem, as the driver needs. Build from the
# repository root, handing the tarballs' folder in as the build context "vendor":
#   docker build -f docker/freeswitch.Dockerfile --build-context vendor=../shared/vendor -t tenor-freeswitch .
# (compose.freeswitch.yaml does the same). Untested here: Docker does not run on
# the machines this project is built on (docker/README.md).

# 1. FreeSWITCH, sofia-sip and spandsp. The script installs the Debian packages
#    it needs when run as root, checks the tarballs against SHA256SUMS and
#    prints the install prefix; its RUNPATH is absolute, so the prefix keeps
#    its path in the final image.
FROM debian:bookworm-slim AS freeswitch
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates xz-utils && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/build-freeswitch.sh scripts/engine-build-common.sh scripts/
COPY --from=vendor . /vendor/
ENV TENOR_VENDOR=/vendor TENOR_ENGINE_CACHE=/opt/tenor-engines
RUN mkdir -p /opt/tenor-engines \
    && bash scripts/build-freeswitch.sh > /opt/tenor-engines/freeswitch-prefix \
    && test -x "$(cat /opt/tenor-engines/freeswitch-prefix)/bin/freeswitch" \
    && rm -rf /var/lib/apt/lists/*

# 2. Tenor, built as in docker/Dockerfile.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY server/package.json server/
COPY telephony/package.json telephony/
COPY scripts-dsl/package.json scripts-dsl/
COPY agent-ui/package.json agent-ui/
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY . .
RUN npm run build && npm prune --omit=dev

# 3. Both, with the shared libraries FreeSWITCH's build linked against.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libssl3 zlib1g libuuid1 libsqlite3-0 libcurl4 libpcre2-8-0 libspeex1 libspeexdsp1 libedit2 \
      libtiff6 libjpeg62-turbo libfreetype6 libsndfile1 libopus0 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=freeswitch /opt/tenor-engines /opt/tenor-engines
RUN ln -s "$(cat /opt/tenor-engines/freeswitch-prefix)" /opt/freeswitch
WORKDIR /app
ENV NODE_ENV=production \
    TENOR_CONFIG=/config/site.yaml \
    TENOR_DATA_DIR=/data \
    TENOR_HTTP_PORT=8080 \
    TENOR_SIP_PORT=5060 \
    TENOR_RTP_PORT_MIN=20000 \
    TENOR_RTP_PORT_MAX=20199
COPY --from=build /app /app
COPY docker/site-freeswitch.yaml /config/site.yaml
RUN ln -s /app/server/bin/tenor.js /usr/local/bin/tenor
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.TENOR_HTTP_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "server/dist/cli.js", "start"]
