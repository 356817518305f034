#!/bin/bash
# A sweep as a Slurm job array: one array task per shard. --shard auto reads SLURM_ARRAY_TASK_ID and
# the array's size (SLURM_ARRAY_TASK_MIN/MAX, or SLURM_ARRAY_TASK_COUNT), so the shard count follows
# --array: 0-3 makes 4 shards, task 0 runs shard 1.
#
#   sbatch examples/ci/slurm-array.sh
#
# Every task writes into the same run directory on the shared file system, each into its own
# shard-I-of-4/ folder, and shares the teacher cache. When all tasks are done, merge:
#   npx distil-run merge results/mnist-sweep/sweep-<job id>/shard-*/results.csv --out merged.csv
# (or submit that as a job with --dependency=afterany:<job id>).
#
#SBATCH --job-name=distil-sweep
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=logs/%x-%A_%a.out
set -euo pipefail

# One run id for the whole array (SLURM_ARRAY_JOB_ID is the same in every task); a requeued task
# resumes its shard, skipping the cells it finished.
RUN_ID="sweep-${SLURM_ARRAY_JOB_ID}"

npx distil-run examples/ci/sweep.yaml --shard auto --run-id "$RUN_ID" \
  --out results --teacher-cache "${DISTIL_TEACHER_CACHE:-$HOME/.cache/distil-run/teachers}" --plain
