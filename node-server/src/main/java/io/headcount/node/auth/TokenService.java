package io.headcount.node.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed user tokens, like {@code Phoenix.Token}: {@code hc1.<payload>.<signature>}, where the payload
 * is base64url JSON {@code {"sub":"<user id>","exp":<epoch seconds>}} and the signature is
 * HMAC-SHA256 of {@code hc1.<payload>} under the server secret.
 *
 * <p>Several secrets may be accepted at once (the first one signs), so a secret can be rotated
 * without logging everyone out. Verification compares signatures in constant time and tells no
 * caller why a token was refused.
 */
public final class TokenService {

    static final String PREFIX = "hc1.";
    private static final int MAX_TOKEN_LENGTH = 4096;
    private static final int MAX_USER_ID_LENGTH = 256;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final List<byte[]> secrets;
    private final ObjectMapper json = new ObjectMapper();

    /** @param secrets the signing secret first, then older ones still accepted */
    public TokenService(List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed");
        }
        for (String s : secrets) {
            if (s.getBytes(StandardCharsets.UTF_8).length < 16) {
                throw new IllegalArgumentException("a secret must be at least 16 bytes long");
            }
        }
        this.secrets = secrets.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    public String mint(String userId, Duration ttl, Instant now) {
        if (userId == null || userId.isEmpty() || userId.length() > MAX_USER_ID_LENGTH) {
            throw new IllegalArgumentException("user id must be 1 to " + MAX_USER_ID_LENGTH + " characters");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", userId);
        claims.put("exp", now.plus(ttl).getEpochSecond());
        String payload;
        try {
            payload = B64.encodeToString(json.writeValueAsBytes(claims));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String signed = PREFIX + payload;
        return signed + "." + B64.encodeToString(hmac(secrets.get(0), signed));
    }

    /** The user id of a valid, unexpired token; empty for anything else, whatever the reason. */
    public Optional<String> verify(String token, Instant now) {
        if (token == null || token.length() > MAX_TOKEN_LENGTH || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot <= PREFIX.length()) {
            return Optional.empty();
        }
        String signed = token.substring(0, dot);
        byte[] signature;
        byte[] payload;
        try {
            signature = B64D.decode(token.substring(dot + 1));
            payload = B64D.decode(signed.substring(PREFIX.length()));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        boolean valid = false;
        for (byte[] secret : secrets) {
            // every secret is tried, so timing does not reveal which one matched
            valid |= MessageDigest.isEqual(hmac(secret, signed), signature);
        }
        if (!valid) {
            return Optional.empty();
        }
        try {
            JsonNode claims = json.readTree(payload);
            JsonNode sub = claims.get("sub");
            JsonNode exp = claims.get("exp");
            if (sub == null || !sub.isTextual() || sub.asText().isEmpty() || sub.asText().length() > MAX_USER_ID_LENGTH
                    || exp == null || !exp.canConvertToLong() || exp.asLong() <= now.getEpochSecond()) {
                return Optional.empty();
            }
            return Optional.of(sub.asText());
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static byte[] hmac(byte[] secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
