# The mtserver image: `docker compose up` builds it (see docker-compose.yml).
FROM python:3.11.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libgmp-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY mtproto ./mtproto
COPY tl ./tl
COPY rpc ./rpc
COPY storage ./storage
COPY server ./server
COPY tools ./tools
COPY schema ./schema
# constraints.txt: the versions CI tested (see its header).
RUN pip install --no-cache-dir -c constraints.txt . && python -m compileall -q /usr/local/lib/python3.11/site-packages

# Keys, salts and the embedded store live here; mount a volume to keep them.
VOLUME /data
ENV MTSERVER_DATA_DIR=/data \
    MTSERVER_HOST=0.0.0.0 \
    MTSERVER_PORT=8443 \
    MTSERVER_LOG_FORMAT=json
EXPOSE 8443
STOPSIGNAL SIGTERM
CMD ["mtserver", "run"]
