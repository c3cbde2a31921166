# syntax=docker/dockerfile:1.7
# One image for every process of the catalog; the arguments choose the process
# (scripts/entrypoint.ts): gateway (the default), products, suppliers,
# certification, migrate <subgraph>..., or catalog (all four, for a trial run).
#
# Built from the repository root, with the partner contract (../shared/contract,
# outside the repository) as a second build context:
#
#   docker build --build-context contract=../shared/contract -t relief-goods-graph .
#   docker run --rm -p 4000:4000 -e AUTH_SECRET=... -e SUBGRAPH_SECRET=... relief-goods-graph catalog
#
# Machines without Docker check this file with `npm run stage:image`
# (scripts/stageImage.ts), which carries out these instructions into a folder,
# and test/imageStage.e2e.ts starts the catalog from that folder alone. Keep RUN
# lines to paths relative to WORKDIR so that both can run them.

# ---- build: every dependency, the generated code, the compiled output
FROM node:20-bookworm-slim AS build
WORKDIR /build/app
# The partner contract sits beside the checkout, where the build reads it from.
COPY --from=contract . ../shared/contract
COPY package.json package-lock.json ./
# Dependencies' install scripts stay off (as npm 11 has them unless approved);
# the project's own postinstall runs once the sources are in: Prisma clients
# and resolver types (scripts/generate.ts), the playground and console bundles, the
# persisted query manifest.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run postinstall
# The supergraph inside the image names the subgraphs by their Kubernetes
# Service names, like deploy/kubernetes/supergraph.graphql.
ENV PRODUCTS_SUBGRAPH_URL=http://products:4001/graphql \
    SUPPLIERS_SUBGRAPH_URL=http://suppliers:4002/graphql \
    CERTIFICATION_SUBGRAPH_URL=http://certification:4003/graphql
RUN npm run build -- --out-dir ../dist

# ---- runtime: production dependencies and the build output, nothing else
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    HOST=0.0.0.0 \
    SUBGRAPH_HOST=0.0.0.0 \
    SUPERGRAPH_PATH=/srv/app/supergraph.graphql \
    PRODUCTS_SUBGRAPH_URL=http://products:4001/graphql \
    SUPPLIERS_SUBGRAPH_URL=http://suppliers:4002/graphql \
    CERTIFICATION_SUBGRAPH_URL=http://certification:4003/graphql \
    DATA_DIR=/tmp/relief-goods-graph
WORKDIR /srv/app
COPY --from=build /build/dist/app/package.json /build/dist/app/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# The compiled code (dist/app) and the contract beside it (dist/shared), where
# the gateway looks for it: ../shared/contract from the application folder.
COPY --from=build /build/dist /srv
# Kubernetes runs the pods as this user too (runAsUser in deploy/kubernetes).
USER 10001:10001
EXPOSE 4000 4001 4002 4003
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["node", "scripts/healthcheck.js"]
ENTRYPOINT ["node", "scripts/entrypoint.js"]
CMD ["gateway"]
