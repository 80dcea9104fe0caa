# One image for every newsloom process (api, worker, beat, crawler, exporter); the command
# picks the role (see docker-compose.yml).
# An exact Python release (the one development and CI run), so rebuilds get the same one.
FROM python:3.11.7-slim-bookworm AS build
RUN pip install --no-cache-dir uv==0.13.9
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock ./
# Dependencies first, from the lock only (--frozen fails if it is stale), so code changes
# don't rebuild them.
RUN uv sync --frozen --no-dev --no-install-project
COPY newsloom ./newsloom
COPY newsloom_cli ./newsloom_cli
COPY crawler ./crawler
COPY workers ./workers
COPY search ./search
COPY ops ./ops
COPY README.md ./
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11.7-slim-bookworm
# /var/lib/newsloom: a named volume mounted there (the crawler's archive) starts with this owner.
RUN useradd --system --uid 10001 --no-create-home --home-dir /app newsloom \
    && install -d -o newsloom -g newsloom /var/lib/newsloom
COPY --from=build --chown=root:root /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
# Code owned by root and run as newsloom: a compromised process cannot rewrite the image.
USER newsloom
EXPOSE 8000 9410 9411 9412
ENTRYPOINT ["newsloom"]
CMD ["--help"]
