#!/bin/sh
# flow-slurm: srun inside a job on Mithril nodes (POSIX sh). Placeholder until steps are relayed.
echo "srun: error: job steps on Mithril nodes are not supported yet" >&2
exit 1
