package io.headcount.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenServiceTest {

    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    final TokenService service = new TokenService(List.of("a-secret-of-at-least-16-bytes"));

    @Test
    void aMintedTokenVerifiesToItsUserUntilItExpires() {
        String token = service.mint("user-42", Duration.ofHours(1), NOW);
        assertEquals(Optional.of("user-42"), service.verify(token, NOW));
        assertEquals(Optional.of("user-42"), service.verify(token, NOW.plusSeconds(3599)));
        assertEquals(Optional.empty(), service.verify(token, NOW.plusSeconds(3600)));
    }

    @Test
    void aTokenWithAnyChangedByteIsRefused() {
        String token = service.mint("user-42", Duration.ofHours(1), NOW);
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            String forged = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
            assertEquals(Optional.empty(), service.verify(forged, NOW), "changed at " + i);
        }
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() {
        String foreign = new TokenService(List.of("another-secret-16-bytes!")).mint("user-42", Duration.ofHours(1), NOW);
        assertEquals(Optional.empty(), service.verify(foreign, NOW));
    }

    @Test
    void aPayloadClaimingAnotherUserWithTheOldSignatureIsRefused() {
        String token = service.mint("user-42", Duration.ofHours(1), NOW);
        String[] parts = token.split("\\.");
        String claims = "{\"sub\":\"admin\",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}";
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertEquals(Optional.empty(), service.verify(forged, NOW));
    }

    @Test
    void anOlderSecretStillVerifiesDuringARotation() {
        String old = new TokenService(List.of("the-old-secret-16-bytes")).mint("u", Duration.ofHours(1), NOW);
        TokenService rotating = new TokenService(List.of("the-new-secret-16-bytes", "the-old-secret-16-bytes"));
        assertEquals(Optional.of("u"), rotating.verify(old, NOW));
        String fresh = rotating.mint("u", Duration.ofHours(1), NOW);
        assertEquals(Optional.empty(), new TokenService(List.of("the-old-secret-16-bytes")).verify(fresh, NOW),
                "new tokens are signed with the new secret");
    }

    @Test
    void garbageIsRefusedQuietly() {
        for (String junk : new String[] {null, "", "undefined", "null", "hc1.", "hc1..", "hc1.%%%.%%%", "hc1.e30.",
                "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSJ9.", "hc1." + "A".repeat(10_000) + ".x"}) {
            assertEquals(Optional.empty(), service.verify(junk, NOW), String.valueOf(junk));
        }
    }

    @Test
    void shortSecretsAndEmptyUsersAreRejectedAtTheEdge() {
        assertThrows(IllegalArgumentException.class, () -> new TokenService(List.of("short")));
        assertThrows(IllegalArgumentException.class, () -> service.mint("", Duration.ofHours(1), NOW));
        assertThrows(IllegalArgumentException.class, () -> service.mint("u", Duration.ZERO, NOW));
        assertTrue(service.mint("u", Duration.ofSeconds(1), NOW).startsWith("hc1."));
    }
}
