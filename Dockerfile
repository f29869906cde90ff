# Multi-stage build: compile TypeScript with dev dependencies, run with production dependencies only, as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web console is built here with Vite (a dev dependency); the runtime serves console/dist as is.
COPY console ./console
RUN npm run build && npm run console:build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    LAKEQL_HOST=0.0.0.0 \
    LAKEQL_PORT=4000 \
    LAKEQL_LAKE=/data/lake
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
# `docker exec <container> npx lakeql ls` runs the compiled CLI (bin/lakeql.js picks dist/ when src/ is absent).
COPY bin ./bin
RUN mkdir -p /data/lake && chown -R node:node /data
USER node
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:4000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
