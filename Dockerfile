# One image for every newsloom process (worker, crawler, API); the command picks the role.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
# Dependencies first, from the lock only, so code changes don't rebuild them.
RUN uv sync --frozen --no-dev --no-install-project
COPY newsloom ./newsloom
COPY crawler ./crawler
COPY workers ./workers
COPY search ./search
COPY ops ./ops
COPY README.md ./
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app newsloom
COPY --from=build --chown=newsloom /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1
WORKDIR /app
USER newsloom
ENTRYPOINT ["newsloom"]
CMD ["--help"]
