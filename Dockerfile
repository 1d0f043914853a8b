# The controller image for a team deployment (docker-compose.yml): the commands and
# `flow controller`, built from this checkout.
FROM node:20-bookworm-slim
WORKDIR /opt/flow-slurm
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev
ENV PATH=/opt/flow-slurm/bin:$PATH
CMD ["flow", "controller"]
