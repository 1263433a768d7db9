package io.headcount.tracker.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Appends unsigned LEB128 varints and length-prefixed UTF-8 strings to a growing byte array. */
final class WireWriter {

    private byte[] buf;
    private int size;

    WireWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    void writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    void writeVarLong(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("varints are unsigned, got " + value);
        }
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            buf[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf[size++] = (byte) value;
    }

    void writeVarInt(int value) {
        writeVarLong(value);
    }

    void writeString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    /** A string that may be {@code null}: its byte length plus one, 0 meaning null. */
    void writeNullableString(String s) {
        if (s == null) {
            writeVarInt(0);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(bytes.length + 1);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
