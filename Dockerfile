# One image for the API and the worker; docker-compose.yml picks the command.
FROM node:20.19-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY worker ./worker
COPY temporal ./temporal
COPY config ./config
COPY db ./db
COPY scripts ./scripts
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
