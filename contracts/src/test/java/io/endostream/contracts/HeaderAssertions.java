package io.endostream.contracts;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/** Checks that headers are what a Python or kcat consumer can read: strict UTF-8 text without control characters. */
public final class HeaderAssertions {

    private HeaderAssertions() {
    }

    public static void assertReadableText(Map<String, byte[]> headers) {
        headers.forEach((name, value) -> {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
            } catch (CharacterCodingException e) {
                fail("header " + name + " is not valid UTF-8");
                return;
            }
            if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                fail("header " + name + " has control characters: " + text);
            }
            if (!name.chars().allMatch(c -> c >= 0x21 && c < 0x7F)) {
                fail("header name " + name + " is not printable ASCII");
            }
        });
    }
}
