# salesplay-mock: a fake SalesPlay POS for docker-compose stacks and CI.
#   docker build -t salesplay-mock .
#   docker run -p 8080:8080 -v salesplay-data:/data salesplay-mock
# BASE_IMAGE is any Debian-like image with python3 and its venv module.
ARG BASE_IMAGE=python:3.12-slim

# The version comes from the git tag, but .git stays out of the build context: the release
# workflow and scripts/container-smoke pass it (and the commit) here. Without it: 0+unknown.
ARG VERSION=""
ARG REVISION=""
ARG SOURCE="https://github.com/salesplay-mock/salesplay-mock"

FROM ${BASE_IMAGE} AS build
ARG VERSION
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mockserver ./mockserver
COPY templates ./templates
COPY fixtures ./fixtures
# The whole installation lives in one venv that the final stage copies; pip, the build
# backend and their caches stay behind in this stage.
RUN python3 -m venv /opt/salesplay-mock \
 && SETUPTOOLS_SCM_PRETEND_VERSION_FOR_SALESPLAY_MOCK="${VERSION:-0+unknown}" \
    /opt/salesplay-mock/bin/pip install --no-cache-dir --disable-pip-version-check . \
 && /opt/salesplay-mock/bin/pip uninstall --yes pip

FROM ${BASE_IMAGE}
ARG VERSION
ARG REVISION
ARG SOURCE
LABEL org.opencontainers.image.title="salesplay-mock" \
      org.opencontainers.image.description="A local stand-in for SalesPlay POS webhooks and its REST API" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION:-0+unknown}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
RUN useradd --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin salesplay \
 && mkdir -p /data \
 && chown salesplay:salesplay /data
COPY --from=build /opt/salesplay-mock /opt/salesplay-mock
ENV PATH=/opt/salesplay-mock/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SALESPLAY_MOCK_HOST=0.0.0.0 \
    SALESPLAY_MOCK_PORT=8080 \
    SALESPLAY_MOCK_DB=/data/salesplay-mock.sqlite3
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['SALESPLAY_MOCK_PORT'], timeout=2)"]
# run_app stops on SIGTERM within seconds; pending deliveries stay in /data.
STOPSIGNAL SIGTERM
ENTRYPOINT ["salesplay-mock"]
CMD ["serve"]
