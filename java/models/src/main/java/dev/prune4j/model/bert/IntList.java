package dev.prune4j.model.bert;

import java.util.Arrays;

/** A growable list of ints, so token ids are not boxed. */
public final class IntList {
    private int[] values = new int[16];
    private int size;

    public void add(int v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    public int size() {
        return size;
    }

    public int get(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i + " >= " + size);
        }
        return values[i];
    }

    /** Drops everything from {@code newSize} on. */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IndexOutOfBoundsException("cannot truncate " + size + " values to " + newSize);
        }
        size = newSize;
    }

    public int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
