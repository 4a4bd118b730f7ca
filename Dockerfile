# Herald's API and worker image (the same image; the command picks the process).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm ci --prefix dashboard --no-audit --no-fund && npm run build --prefix dashboard
# Workers load this pre-built workflow bundle instead of bundling at start.
RUN npm run build:workflows
ENV NODE_ENV=production
EXPOSE 3000
CMD ["npm", "run", "api"]
