# drachtio-server, the SIP edge of the drachtio variant (compose.drachtio.yaml),
# built by scripts/build-drachtio.sh from the same pinned tarballs the tests use
# (drachtio-server with drachtio's own sofia-sip fork, Debian's jansson, hiredis
# and prometheus-cpp). Build from the repository root:
#   docker build -f docker/drachtio.Dockerfile --build-context vendor=../shared/vendor -t tenor-drachtio .
# Untested here: Docker does not run on the machines this project is built on
# (docker/README.md).

FROM debian:bookworm-slim AS drachtio
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates xz-utils && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/build-drachtio.sh scripts/engine-build-common.sh scripts/
COPY --from=vendor . /vendor/
ENV TENOR_VENDOR=/vendor TENOR_ENGINE_CACHE=/opt/tenor-engines
RUN mkdir -p /opt/tenor-engines \
    && bash scripts/build-drachtio.sh > /opt/tenor-engines/drachtio-prefix \
    && test -x "$(cat /opt/tenor-engines/drachtio-prefix)/bin/drachtio" \
    && rm -rf /var/lib/apt/lists/*

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libjansson4 libhiredis0.14 libcurl4 libssl3 zlib1g libboost-thread1.74.0 libboost-log1.74.0 \
      libboost-filesystem1.74.0 libprometheus-cpp-pull1.0 libprometheus-cpp-core1.0 libcivetweb1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=drachtio /opt/tenor-engines /opt/tenor-engines
RUN ln -s "$(cat /opt/tenor-engines/drachtio-prefix)/bin/drachtio" /usr/local/bin/drachtio
COPY docker/drachtio/drachtio.conf.xml /etc/drachtio.conf.xml
RUN useradd --system --no-create-home drachtio
USER drachtio
STOPSIGNAL SIGTERM
# The SIP contact and the admin secret come from the environment (compose.drachtio.yaml):
# never the vanilla secret.
CMD ["sh", "-c", "exec drachtio -f /etc/drachtio.conf.xml --stdout --contact \"sip:${DRACHTIO_SIP_ADDRESS}:${DRACHTIO_SIP_PORT:-5060};transport=udp,tcp\" --address \"${DRACHTIO_ADMIN_ADDRESS:-127.0.0.1}\" --port \"${DRACHTIO_ADMIN_PORT:-9022}\" --secret \"${DRACHTIO_SECRET:?set DRACHTIO_SECRET}\""]
