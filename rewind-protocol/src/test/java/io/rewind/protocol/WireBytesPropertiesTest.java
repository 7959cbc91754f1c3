package io.rewind.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.InvalidRequestException;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.SubscriptionEvent;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The codec writes exactly the bytes of {@link ReferenceEncoding}, the plainest rendering of the
 * layouts in docs/PROTOCOL.md, for arbitrary values: text with any chars (lone surrogates
 * included, which both write as {@code '?'}), every field kind, records packed around the 1 MiB
 * frame target. And the fast text decoder agrees with the strict UTF-8 decoder on any bytes.
 */
class WireBytesPropertiesTest {

    /** One field written to both writers. */
    private record Field(String name, BiConsumer<BinaryWriter, ReferenceEncoding.Fields> write) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Property(tries = 500)
    void writerWritesTheReferenceBytes(@ForAll("fieldLists") List<Field> fields,
            @ForAll @IntRange(max = 40) int initialCapacity) {
        BinaryWriter writer = new BinaryWriter(initialCapacity);
        ReferenceEncoding.Fields reference = new ReferenceEncoding.Fields();
        List<byte[]> snapshots = new ArrayList<>();
        List<byte[]> expectedSnapshots = new ArrayList<>();
        for (Field field : fields) {
            Throwable failure = catchThrowable(() -> field.write().accept(writer, null));
            Throwable expectedFailure = catchThrowable(() -> field.write().accept(null, reference));
            if (expectedFailure == null) {
                assertThat(failure).isNull();
            } else {
                assertThat(failure).isInstanceOf(InvalidRequestException.class)
                        .hasMessage(expectedFailure.getMessage());
            }
            snapshots.add(writer.toByteArray());
            expectedSnapshots.add(reference.toByteArray());
        }
        assertThat(writer.size()).isEqualTo(reference.toByteArray().length);
        // every array handed out still holds what it held then, although the writer went on
        for (int i = 0; i < snapshots.size(); i++) {
            assertThat(snapshots.get(i)).as("after field %d", i).isEqualTo(expectedSnapshots.get(i));
        }
    }

    @Property(tries = 1000)
    void utf8LengthIsTheLengthOfGetBytes(@ForAll("anyText") String text) {
        assertThat(BinaryWriter.utf8Length(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        assertThat(RecordCodec.shortTextSize(text)).isEqualTo(1 + text.getBytes(StandardCharsets.UTF_8).length);
    }

    @Property(tries = 300)
    void appendFramesAreTheReferenceBytes(@ForAll long requestId, @ForAll("appendRequests") AppendRequest request) {
        assertSameOutcome(() -> new CommandRequest.Append(requestId, request).toFrames(),
                () -> ReferenceEncoding.append(requestId, request), WireBytesPropertiesTest::assertSameFrames);
    }

    @Property(tries = 300)
    void repliesWithRecordsAreTheReferenceBytes(@ForAll("repliesWithRecords") CommandReply reply) {
        assertSameFrames(reply.toFrames(), ReferenceEncoding.replyWithRecords(reply));
    }

    @Property(tries = 300)
    void singleRecordsAreTheReferenceBytes(@ForAll("events") EventData event, @ForAll("recordedEvents")
            RecordedEvent recorded, @ForAll long previous, @ForAll("anyText") String stream, @ForAll long number) {
        assertBothOrNeither(() -> RecordCodec.eventData(event), () -> ReferenceEncoding.eventData(event));
        SubscriptionEvent delivered = new SubscriptionEvent(recorded, Math.max(-1, previous));
        assertThat(RecordCodec.subscriptionEvent(delivered)).isEqualTo(ReferenceEncoding.subscriptionEvent(delivered));
        StreamInfo info = new StreamInfo(stream, number, number, number);
        assertBothOrNeither(() -> RecordCodec.streamInfo(info), () -> ReferenceEncoding.streamInfo(info));
    }

    /** Records of sizes just below, at and above the frame target, in any order: the same frame boundaries. */
    @Property(tries = 40)
    void packingAroundTheFrameTargetIsTheReference(@ForAll("recordSizes") List<Integer> sizes) {
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            byte[] record = new byte[sizes.get(i)];
            Arrays.fill(record, (byte) i);
            records.add(record);
        }
        assertSameFrames(RecordCodec.pack(records), ReferenceEncoding.pack(records));
    }

    @Property(tries = 1000)
    void fastUtf8DecodingAgreesWithTheStrictDecoder(@ForAll("textBytes") byte[] bytes,
            @ForAll @IntRange(max = 8) int cut) {
        int offset = Math.min(cut, bytes.length);
        int length = bytes.length - offset;
        String strict;
        try {
            strict = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            strict = null;
        }
        if (strict == null) {
            assertThatThrownBy(() -> Frames.utf8(bytes, offset, length, "field"))
                    .isInstanceOf(MalformedMessageException.class).hasMessage("field is not well-formed UTF-8");
        } else {
            assertThat(Frames.utf8(bytes, offset, length, "field")).isEqualTo(strict);
        }
    }

    @Property(tries = 300)
    void isComparesLikeTheEncodedWord(@ForAll("textBytes") byte[] frame, @ForAll("anyText") String word) {
        assertThat(Frames.is(frame, word)).isEqualTo(Arrays.equals(frame, word.getBytes(StandardCharsets.UTF_8)));
        byte[] encoded = word.getBytes(StandardCharsets.UTF_8);
        assertThat(Frames.is(encoded, word)).isTrue();
    }

    private static void assertSameFrames(List<byte[]> actual, List<byte[]> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("frame %d", i).isEqualTo(expected.get(i));
        }
    }

    private static void assertBothOrNeither(Supplier<byte[]> actual, Supplier<byte[]> expected) {
        assertSameOutcome(actual, expected, (a, e) -> assertThat(a).isEqualTo(e));
    }

    /** Both give equal values, or both fail with the same exception type and message. */
    private static <T> void assertSameOutcome(Supplier<T> actual, Supplier<T> expected, BiConsumer<T, T> assertSame) {
        Throwable expectedFailure = catchThrowable(expected::get);
        if (expectedFailure == null) {
            assertSame.accept(actual.get(), expected.get());
        } else {
            assertThatThrownBy(actual::get).isInstanceOf(expectedFailure.getClass())
                    .hasMessage(expectedFailure.getMessage());
        }
    }

    /** Any chars, lone surrogates, pairs and long strings (over the 255-byte limit) included. */
    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withCharRange('\uD7F0', '\uE010').withChars("aé€\uD834\uDD1E").ofMaxLength(20),
                Arbitraries.strings().ascii().ofMaxLength(300),
                Arbitraries.strings().withChars("é€\uD834\uDD1E").ofMinLength(60).ofMaxLength(130));
    }

    /** Mostly text: ASCII, well-formed UTF-8 of other strings, and arbitrary bytes. */
    @Provide
    Arbitrary<byte[]> textBytes() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ascii().ofMaxLength(30).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                anyText().map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(30));
    }

    @Provide
    Arbitrary<List<Field>> fieldLists() {
        Arbitrary<Field> field = Arbitraries.oneOf(
                Arbitraries.integers().map(v -> new Field("u8 " + v, (w, r) -> {
                    if (w != null) {
                        w.u8(v);
                    } else {
                        r.u8(v);
                    }
                })),
                Arbitraries.integers().map(v -> new Field("i32 " + v, (w, r) -> {
                    if (w != null) {
                        w.i32(v);
                    } else {
                        r.i32(v);
                    }
                })),
                Arbitraries.longs().map(v -> new Field("i64 " + v, (w, r) -> {
                    if (w != null) {
                        w.i64(v);
                    } else {
                        r.i64(v);
                    }
                })),
                Arbitraries.create(UUID::randomUUID).map(v -> new Field("uuid " + v, (w, r) -> {
                    if (w != null) {
                        w.uuid(v);
                    } else {
                        r.uuid(v);
                    }
                })),
                anyText().map(v -> new Field("shortText " + v.length() + " chars", (w, r) -> {
                    if (w != null) {
                        w.shortText(v);
                    } else {
                        r.shortText(v);
                    }
                })),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(70).map(v -> new Field("bytes " + v.length, (w, r) -> {
                    if (w != null) {
                        w.bytes(v);
                    } else {
                        r.bytes(v);
                    }
                })));
        return field.list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<Integer>> recordSizes() {
        int target = RecordCodec.PACK_TARGET_BYTES;
        return Arbitraries.of(0, 1, 17, target / 4 - 4, target / 2 - 4, target / 2, target - 8, target - 4, target,
                target + 1).list().ofMinSize(1).ofMaxSize(6);
    }

    private Arbitrary<byte[]> payloads() {
        return Arbitraries.oneOf(Arbitraries.just(new byte[0]), Arbitraries.bytes().array(byte[].class).ofMaxSize(300));
    }

    @Provide
    Arbitrary<EventData> events() {
        return Combinators.combine(Arbitraries.create(UUID::randomUUID).injectNull(0.4), anyText(), payloads(),
                payloads()).as(EventData::new);
    }

    @Provide
    Arbitrary<RecordedEvent> recordedEvents() {
        Arbitrary<Long> nonNegative = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Instant> times = Arbitraries.longs().between(-100_000_000_000L, 100_000_000_000L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
        return Combinators.combine(shortTexts(), nonNegative, nonNegative, Arbitraries.create(UUID::randomUUID),
                shortTexts(), times, payloads(), payloads()).as(RecordedEvent::new);
    }

    /** Texts of at most 255 UTF-8 bytes, which every record field accepts. */
    private Arbitrary<String> shortTexts() {
        return anyText().filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= 255);
    }

    private Arbitrary<ExpectedVersion> expectedVersions() {
        return Arbitraries.oneOf(Arbitraries.of(ExpectedVersion.any(), ExpectedVersion.noStream(),
                ExpectedVersion.streamExists()), Arbitraries.longs().between(0, Long.MAX_VALUE).map(ExpectedVersion::exactly));
    }

    @Provide
    Arbitrary<AppendRequest> appendRequests() {
        Arbitrary<String> streams = shortTexts().filter(s -> !s.isEmpty());
        return Combinators.combine(streams.list().uniqueElements().ofMinSize(1).ofMaxSize(4),
                expectedVersions().list().ofSize(4), events().list().ofMinSize(1).ofMaxSize(5).list().ofSize(4))
                .as((names, expected, events) -> {
                    AppendRequest.Builder builder = AppendRequest.builder();
                    int written = 1 + (names.size() - 1) / 2;
                    for (int i = 0; i < names.size(); i++) {
                        if (i < written) {
                            builder.append(names.get(i), expected.get(i), events.get(i));
                        } else {
                            builder.check(names.get(i), expected.get(i));
                        }
                    }
                    return builder.build();
                });
    }

    @Provide
    Arbitrary<CommandReply> repliesWithRecords() {
        Arbitrary<Long> id = Arbitraries.longs();
        Arbitrary<AppendResult.Written> written = Combinators.combine(shortTexts(), Arbitraries.longs(),
                Arbitraries.longs(), Arbitraries.create(UUID::randomUUID)).as(AppendResult.Written::new);
        Arbitrary<StreamInfo> infos = Combinators.combine(shortTexts(), Arbitraries.longs(), Arbitraries.longs(),
                Arbitraries.longs()).as(StreamInfo::new);
        Arbitrary<SubscriptionEvent> delivered = Combinators.combine(recordedEvents(),
                Arbitraries.longs().between(-1, Long.MAX_VALUE)).as(SubscriptionEvent::new);
        Arbitrary<Optional<String>> nextAfter = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).optional();
        return Arbitraries.oneOf(
                Combinators.combine(id, written.list().ofMinSize(1).ofMaxSize(6).map(AppendResult::new))
                        .as(CommandReply.Appended::new),
                Combinators.combine(id, recordedEvents().list().ofMaxSize(6), Arbitraries.of(true, false))
                        .as(CommandReply.Events::new),
                Combinators.combine(id, infos.list().ofMaxSize(6), nextAfter).as(CommandReply.Streams::new),
                Combinators.combine(id, delivered.list().ofMinSize(1).ofMaxSize(6)).as(CommandReply.Delivery::new));
    }
}
