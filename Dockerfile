# The mtserver image: `docker compose up` builds it (see docker-compose.yml).
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libgmp-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mtproto ./mtproto
COPY tl ./tl
COPY rpc ./rpc
COPY storage ./storage
COPY server ./server
COPY tools ./tools
COPY schema ./schema
RUN pip install --no-cache-dir . && python -m compileall -q /usr/local/lib/python3.11/site-packages

# Keys, salts and the embedded store live here; mount a volume to keep them.
VOLUME /data
ENV MTSERVER_DATA_DIR=/data \
    MTSERVER_HOST=0.0.0.0 \
    MTSERVER_PORT=8443 \
    MTSERVER_LOG_FORMAT=json
EXPOSE 8443
STOPSIGNAL SIGTERM
CMD ["mtserver", "run"]
