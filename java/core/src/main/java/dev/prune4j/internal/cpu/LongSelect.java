package dev.prune4j.internal.cpu;

import java.util.Arrays;

/**
 * Moves the {@code k} smallest of {@code a[0..n)} to {@code a[0..k)} (in no particular order):
 * quickselect with a median-of-three pivot, falling back to a full sort when the partitions keep
 * coming out lopsided, so the worst case stays {@code O(n log n)}. Callers pack (key, index) into one
 * long, so all values are distinct and ties are ordered by index.
 */
final class LongSelect {
    private LongSelect() {}

    static void smallest(long[] a, int n, int k) {
        if (k <= 0 || k >= n) {
            return;
        }
        int lo = 0;
        int hi = n - 1;
        int budget = 2 * (32 - Integer.numberOfLeadingZeros(n)) + 8;
        while (hi > lo) {
            if (budget-- == 0) {
                Arrays.sort(a, lo, hi + 1);
                return;
            }
            int p = partition(a, lo, hi);
            if (p == k) {
                return;
            }
            if (p < k) {
                lo = p + 1;
            } else {
                hi = p - 1;
            }
        }
    }

    /** Lomuto partition around a median-of-three pivot; returns the pivot's final position. */
    private static int partition(long[] a, int lo, int hi) {
        int mid = (lo + hi) >>> 1;
        if (a[mid] < a[lo]) {
            swap(a, mid, lo);
        }
        if (a[hi] < a[lo]) {
            swap(a, hi, lo);
        }
        if (a[hi] < a[mid]) {
            swap(a, hi, mid);
        }
        swap(a, mid, hi);
        long pivot = a[hi];
        int store = lo;
        for (int i = lo; i < hi; i++) {
            if (a[i] < pivot) {
                swap(a, i, store++);
            }
        }
        swap(a, store, hi);
        return store;
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
