"""The Dawid-Skene fit a data scientist writes with numpy and scipy.sparse: the same EM as `fitDawidSkene`
(strategies/em.ts, dawid-skene.ts), vectorised, for the bench to time beside it on the same answer table.

    python3 bench/ds_numpy.py <table.bin> <iterations> <posteriors.bin>

table.bin is int32: objects, workers, labels, answers, then the answers' object, worker and label columns. Each line
read from stdin runs one fit (loading is not timed) and answers with its milliseconds, so the bench can alternate it
with its own fits round by round; at end of input the last fit's posteriors (objects × labels, float64) go to
posteriors.bin.

    init      P = vote shares; M-step
    M-step    prior = mean_t P;  E[w,o,c] = max(Σ_{answers (t,w,o)} P[t,c], 1e-10), normalised over o
    E-step    L = log max(prior, 1e-10) + Σ_{answers (t,w,o)} log E[w,o,·];  P = softmax(L);  ℓ = Σ_t logsumexp L[t] / answers
    loop      `iterations` × (E-step, M-step)
"""
import sys
import time

import numpy as np
import scipy.sparse as sp

FLOOR = 1e-10


def load(path):
    head = np.fromfile(path, dtype=np.int32, count=4)
    objects, workers, labels, answers = (int(x) for x in head)
    columns = np.fromfile(path, dtype=np.int32, offset=16).reshape(3, answers)
    return objects, workers, labels, columns


def fit(objects, workers, k, columns, iterations):
    object_of, worker_of, label_of = columns
    # A[t, w·k + o] = 1 for each answer: then L = A @ log E and N = Aᵀ @ P, both one sparse product.
    answered = sp.csr_matrix((np.ones(len(object_of)), (object_of, worker_of * k + label_of)), shape=(objects, workers * k))
    answered_t = answered.T.tocsr()
    posteriors = sp.csr_matrix((np.ones(len(object_of)), (object_of, label_of)), shape=(objects, k)).toarray()
    posteriors /= posteriors.sum(axis=1, keepdims=True)

    def maximise(posteriors):
        log_priors = np.log(np.maximum(posteriors.mean(axis=0), FLOOR))
        errors = np.maximum(answered_t @ posteriors, FLOOR).reshape(workers, k, k)
        errors /= errors.sum(axis=1, keepdims=True)
        return log_priors, np.log(errors).reshape(workers * k, k)

    log_priors, log_errors = maximise(posteriors)
    log_likelihood = np.nan
    for _ in range(iterations):
        log_joint = answered @ log_errors + log_priors
        top = log_joint.max(axis=1, keepdims=True)
        posteriors = np.exp(log_joint - top)
        total = posteriors.sum(axis=1, keepdims=True)
        posteriors /= total
        log_likelihood = float((top + np.log(total)).sum()) / len(object_of)
        log_priors, log_errors = maximise(posteriors)
    return posteriors, log_likelihood


table_path, iterations, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
objects, workers, k, columns = load(table_path)
posteriors = None
for _ in sys.stdin:
    start = time.perf_counter()
    posteriors, _ = fit(objects, workers, k, columns, iterations)
    print((time.perf_counter() - start) * 1000, flush=True)
if posteriors is not None:
    posteriors.tofile(out_path)
