package io.endostream.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** asyncapi.yaml must describe exactly the topics, headers and reason codes the code uses. */
class AsyncApiDocumentTest {

    private static JsonNode document;

    @BeforeAll
    static void read() throws Exception {
        document = new ObjectMapper(new YAMLFactory()).readTree(Path.of("asyncapi.yaml").toFile());
    }

    @Test
    void isAsyncApiThree() {
        assertEquals("3.0.0", document.path("asyncapi").asText());
    }

    @Test
    void everyTopicIsAChannelAndNoOther() throws Exception {
        Set<String> addresses = new HashSet<>();
        document.path("channels").forEach(channel -> addresses.add(channel.path("address").asText()));
        assertEquals(new HashSet<>(stringConstants(Topics.class)), addresses);
    }

    @Test
    void dataTopicsDeclareTheDocumentedPartitionsAndSizeLimit() {
        JsonNode frames = document.path("channels").path("frames").path("bindings").path("kafka");
        assertEquals(Topics.DEFAULT_PARTITIONS, frames.path("partitions").asInt());
        assertEquals(Topics.MAX_RECORD_BYTES, frames.path("topicConfiguration").path("max.message.bytes").asInt());
        JsonNode deadLetters = document.path("channels").path("deadLetters").path("bindings").path("kafka");
        assertEquals(Topics.MAX_RECORD_BYTES, deadLetters.path("topicConfiguration").path("max.message.bytes").asInt());
    }

    @Test
    void everyHeaderIsDescribed() throws Exception {
        String schemas = document.path("components").path("schemas").toString()
                + document.path("components").path("messages").toString();
        List<String> missing = new ArrayList<>();
        for (Field field : RecordHeaders.class.getFields()) {
            String value = (String) field.get(null);
            boolean isHeaderName = value.startsWith("ce_") || value.equals("content-type");
            if (isHeaderName && !schemas.contains("\"" + value + "\"")) {
                missing.add(value);
            }
        }
        assertEquals(List.of(), missing, "headers missing from asyncapi.yaml");
    }

    @Test
    void deadLetterReasonsMatch() {
        List<String> documented = new ArrayList<>();
        document.path("components").path("schemas").path("DeadLetterReason").path("enum")
                .forEach(code -> documented.add(code.asText()));
        List<String> codes = new ArrayList<>();
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            codes.add(reason.code());
        }
        assertEquals(codes, documented);
    }

    private static List<String> stringConstants(Class<?> type) throws IllegalAccessException {
        List<String> values = new ArrayList<>();
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                values.add((String) field.get(null));
            }
        }
        return values;
    }
}
