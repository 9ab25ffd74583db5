package io.endostream.contracts.mask;

import io.endostream.contracts.HeaderAssertions;
import io.endostream.contracts.WireRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MaskCodecPropertiesTest {

    @Property(tries = 300)
    void anyMaskRoundTripsWithReadableHeaders(
            @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 20) String streamId,
            @ForAll long sequence, @ForAll long captureTime,
            @ForAll @DoubleRange(min = 0, max = 10_000) double inferenceMillis,
            @ForAll @DoubleRange(min = 0, max = 10_000) double endToEndMillis,
            @ForAll @DoubleRange(min = 0, max = 1) double area,
            @ForAll @Size(max = 5) List<@From("region") Region> regions) {
        Mask mask = new Mask(streamId, streamId + "-0-" + sequence, sequence, captureTime, "polyp-unet", "1.2.0",
                inferenceMillis, endToEndMillis, area, regions, 1920, 1080, new byte[] {1, 2, 3});

        WireRecord record = MaskCodec.encode(mask);

        HeaderAssertions.assertReadableText(record.headers());
        assertEquals(mask, MaskCodec.decode(record.key(), record.value(), record.headers()));
    }

    @Provide
    Arbitrary<Region> region() {
        Arbitrary<Integer> coordinate = Arbitraries.integers().between(0, 4000);
        return Combinators.combine(coordinate, coordinate, coordinate, coordinate,
                        Arbitraries.longs().between(0, 16_000_000))
                .as(Region::new);
    }
}
