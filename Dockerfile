# The API and the projector share one image; docker-compose.yml picks the command.

# The web client, built from its lock file; only its build goes into the image.
FROM node:20-slim AS client
WORKDIR /client
COPY client/package.json client/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY client/ ./
RUN npm run build

FROM python:3.11-slim
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
WORKDIR /app
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 PATH="/app/.venv/bin:$PATH"
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=client /client/dist client/dist
RUN uv sync --frozen --no-dev
EXPOSE 8000
CMD ["rapport", "serve", "--host", "0.0.0.0"]
