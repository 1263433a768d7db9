package io.headcount.tracker.wire;

import java.nio.charset.StandardCharsets;

/** Reads what {@link WireWriter} wrote, refusing anything that runs past the end or overflows. */
final class WireReader {

    private final byte[] buf;
    private int pos;
    private final int end;

    WireReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    int readByte() {
        if (pos >= end) {
            throw new MalformedMessageException("message ends early");
        }
        return buf[pos++] & 0xFF;
    }

    long readVarLong() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    throw new MalformedMessageException("varint out of range");
                }
                return value;
            }
        }
        throw new MalformedMessageException("varint longer than 64 bits");
    }

    int readVarInt() {
        long value = readVarLong();
        if (value > Integer.MAX_VALUE) {
            throw new MalformedMessageException("value " + value + " does not fit an int");
        }
        return (int) value;
    }

    /** Reads a count of items that each take at least one byte, so a corrupt count cannot make us allocate. */
    int readCount() {
        int n = readVarInt();
        if (n > remaining()) {
            throw new MalformedMessageException("count " + n + " exceeds the " + remaining() + " bytes left");
        }
        return n;
    }

    String readString() {
        return readUtf8(readCount());
    }

    String readNullableString() {
        int n = readVarInt();
        if (n == 0) {
            return null;
        }
        if (n - 1 > remaining()) {
            throw new MalformedMessageException("string of " + (n - 1) + " bytes exceeds the " + remaining() + " left");
        }
        return readUtf8(n - 1);
    }

    int remaining() {
        return end - pos;
    }

    private String readUtf8(int length) {
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }
}
