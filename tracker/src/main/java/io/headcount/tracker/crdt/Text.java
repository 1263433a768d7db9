package io.headcount.tracker.crdt;

/** Checks on the strings that identify things: they must survive UTF-8 on the wire unchanged. */
final class Text {

    private Text() {
    }

    /**
     * Refuses strings with unpaired UTF-16 surrogates: UTF-8 would replace them, so the string a peer
     * decodes would differ (and hash to another shard).
     */
    static String requireWellFormed(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " contains an unpaired UTF-16 surrogate at index " + i);
            }
        }
        return s;
    }
}
