# For those who build with Docker. Without a Docker engine, scripts/build-image.sh builds the
# same image (one layer: the standalone executable and the C libraries it links) with crane;
# the tests use that one.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build && npm run build:sea

FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="atcr-verify" \
      org.opencontainers.image.description="Verifier for ATProto-signed container images" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://atcr.io/atcr-verify/atcr-verify"
COPY --from=build /src/build/sea/atcr-verify /atcr-verify
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/atcr-verify"]
