package io.rewind.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.AppendResult;
import io.rewind.api.Direction;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.api.RecordedEvent;
import io.rewind.api.StreamInfo;
import io.rewind.api.SubscriptionEvent;
import io.rewind.api.SubscriptionRequest;
import io.rewind.api.WrongExpectedVersionException;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.ErrorReplies;
import io.rewind.protocol.legacy.Broadcast;
import io.rewind.protocol.legacy.GoRewindReply;
import io.rewind.protocol.legacy.GoRewindRequest;
import io.rewind.protocol.legacy.LegacyEvent;
import io.rewind.protocol.legacy.RewindReply;
import io.rewind.protocol.legacy.RewindRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every valid message encodes and decodes back to itself; any list of frames either decodes or is
 * rejected with a {@link MalformedMessageException}, never another exception.
 */
class CodecPropertiesTest {

    private static final List<Function<List<byte[]>, Object>> DECODERS = List.of(
            Dialect::of, RewindRequest::decode, RewindReply::decode, GoRewindRequest::decode,
            GoRewindReply::decode, CommandRequest::decode, CommandReply::decode,
            Broadcast.StreamMessage::decode, Broadcast.LegacyMessage::decode);

    @Property(tries = 300)
    void commandRequestsRoundTrip(@ForAll("commandRequests") CommandRequest request) {
        assertThat(CommandRequest.decode(request.toFrames())).isEqualTo(request);
    }

    @Property(tries = 300)
    void commandRepliesRoundTrip(@ForAll("commandReplies") CommandReply reply) {
        assertThat(CommandReply.decode(reply.toFrames())).isEqualTo(reply);
    }

    @Property(tries = 200)
    void legacyMessagesRoundTrip(@ForAll("ids") UUID id, @ForAll("optionalIds") Optional<UUID> other,
            @ForAll("bytes") byte[] data, @ForAll("names") String stream, @ForAll boolean end) {
        UUID to = other.orElse(null);
        RewindRequest publish = new RewindRequest.Publish(data);
        assertThat(RewindRequest.decode(publish.toFrames())).isEqualTo(publish);
        RewindRequest query = new RewindRequest.Query(to, id);
        assertThat(RewindRequest.decode(query.toFrames())).isEqualTo(query);
        GoRewindRequest goPublish = new GoRewindRequest.Publish(stream, data);
        assertThat(GoRewindRequest.decode(goPublish.toFrames())).isEqualTo(goPublish);
        GoRewindRequest goQuery = new GoRewindRequest.Query(stream, id, to);
        assertThat(GoRewindRequest.decode(goQuery.toFrames())).isEqualTo(goQuery);
        RewindReply page = new RewindReply.Page(List.of(new LegacyEvent(id, data)), end);
        assertThat(RewindReply.decode(page.toFrames())).isEqualTo(page);
        GoRewindReply event = new GoRewindReply.Event(new LegacyEvent(id, data));
        assertThat(GoRewindReply.decode(event.toFrames())).isEqualTo(event);
        Broadcast.LegacyMessage legacy = new Broadcast.LegacyMessage(new LegacyEvent(id, data), to);
        assertThat(Broadcast.LegacyMessage.decode(legacy.toFrames())).isEqualTo(legacy);
    }

    @Property(tries = 1000)
    void anyFrameListDecodesOrIsMalformed(@ForAll("frameLists") List<byte[]> frames) {
        for (Function<List<byte[]>, Object> decoder : DECODERS) {
            decodesOrIsMalformed(decoder, frames);
        }
    }

    @Property(tries = 500)
    void corruptedValidCommandsDecodeOrAreMalformed(@ForAll("commandRequests") CommandRequest request,
            @ForAll("commandReplies") CommandReply reply, @ForAll long seed) {
        java.util.Random random = new java.util.Random(seed);
        decodesOrIsMalformed(CommandRequest::decode, corrupt(request.toFrames(), random));
        decodesOrIsMalformed(CommandReply::decode, corrupt(reply.toFrames(), random));
    }

    private static void decodesOrIsMalformed(Function<List<byte[]>, Object> decoder, List<byte[]> frames) {
        try {
            assertThat(decoder.apply(frames)).isNotNull();
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** Flips, cuts or drops bytes and frames of a valid message, keeping its command word most of the time. */
    private static List<byte[]> corrupt(List<byte[]> frames, java.util.Random random) {
        List<byte[]> copy = new ArrayList<>();
        frames.forEach(f -> copy.add(f.clone()));
        int index = 1 + random.nextInt(Math.max(1, copy.size() - 1));
        switch (random.nextInt(4)) {
            case 0 -> copy.removeIf(f -> copy.indexOf(f) == Math.min(index, copy.size() - 1));
            case 1 -> copy.add(index > copy.size() ? copy.size() : index, randomBytes(random));
            case 2 -> {
                int target = Math.min(index, copy.size() - 1);
                byte[] frame = copy.get(target);
                copy.set(target, java.util.Arrays.copyOf(frame, random.nextInt(frame.length + 1)));
            }
            default -> {
                int target = Math.min(index, copy.size() - 1);
                byte[] frame = copy.get(target);
                if (frame.length > 0) {
                    frame[random.nextInt(frame.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
        }
        return copy;
    }

    private static byte[] randomBytes(java.util.Random random) {
        byte[] bytes = new byte[random.nextInt(40)];
        random.nextBytes(bytes);
        return bytes;
    }

    @Provide
    Arbitrary<List<byte[]>> frameLists() {
        Arbitrary<byte[]> words = Arbitraries.of("PUBLISH", "QUERY", "APPEND", "READ_STREAM", "READ_ALL",
                "READ_EVENT", "POSITION_AT", "HEAD", "STREAM_INFO", "LIST_STREAMS", "SUBSCRIBE", "CREDIT", "CANCEL",
                "PING", "APPENDED", "EVENTS", "POSITION", "STREAMS", "SUBSCRIBED", "DELIVER", "CAUGHT_UP",
                "CANCELLED", "PONG", "ERROR", "EVENT", "END", "PUBLISHED", "ERROR x", "", "FORWARD", "BEGINNING",
                "AFTER", "1", "-1", "0f8fad5b-d9cb-469f-a165-70867728950e").map(Frames::text);
        Arbitrary<byte[]> eightBytes = Arbitraries.bytes().array(byte[].class).ofSize(8);
        Arbitrary<byte[]> frame = Arbitraries.oneOf(words, eightBytes, bytes());
        return frame.list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    }

    @Provide
    Arbitrary<UUID> ids() {
        return Arbitraries.create(UUID::randomUUID);
    }

    @Provide
    Arbitrary<Optional<UUID>> optionalIds() {
        return ids().optional();
    }

    /** Well-formed stream names (no lone surrogates), some with 2-, 3- and 4-byte UTF-8 characters. */
    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> base = Arbitraries.strings().alpha().numeric().withChars("-_/.é€").ofMinLength(1)
                .ofMaxLength(30);
        return Combinators.combine(base, Arbitraries.of("", "\uD834\uDD1E")).as(String::concat);
    }

    private Arbitrary<String> types() {
        return Arbitraries.strings().alpha().withChars(".é").ofMaxLength(20);
    }

    private Arbitrary<ExpectedVersion> expectedVersions() {
        return Arbitraries.oneOf(Arbitraries.of(ExpectedVersion.any(), ExpectedVersion.noStream(),
                ExpectedVersion.streamExists()), Arbitraries.longs().between(0, Long.MAX_VALUE).map(ExpectedVersion::exactly));
    }

    private Arbitrary<EventData> eventData() {
        return Combinators.combine(optionalIds(), types(), bytes(), bytes())
                .as((id, type, data, metadata) -> new EventData(id.orElse(null), type, data, metadata));
    }

    private Arbitrary<AppendRequest> appendRequests() {
        Arbitrary<List<String>> streams = names().list().uniqueElements().ofMinSize(1).ofMaxSize(3);
        return streams.flatMap(names -> {
            List<String> written = names.subList(0, 1 + (names.size() - 1) / 2);
            List<String> checked = names.subList(written.size(), names.size());
            return Combinators.combine(eventData().list().ofMinSize(1).ofMaxSize(4).list().ofSize(written.size()),
                    expectedVersions().list().ofSize(names.size())).as((events, expected) -> {
                        AppendRequest.Builder builder = AppendRequest.builder();
                        for (int i = 0; i < written.size(); i++) {
                            builder.append(written.get(i), expected.get(i), events.get(i));
                        }
                        for (int i = 0; i < checked.size(); i++) {
                            builder.check(checked.get(i), expected.get(written.size() + i));
                        }
                        return builder.build();
                    });
        });
    }

    private Arbitrary<SubscriptionRequest> subscriptionRequests() {
        Arbitrary<SubscriptionRequest> start = Arbitraries.oneOf(Arbitraries.of(SubscriptionRequest.fromBeginning(),
                SubscriptionRequest.fromEnd()), Arbitraries.longs().between(-1, Long.MAX_VALUE).map(SubscriptionRequest::after));
        Arbitrary<Function<SubscriptionRequest, SubscriptionRequest>> scope = Arbitraries.oneOf(
                Arbitraries.just(Function.identity()),
                names().map(name -> request -> request.toStream(name)),
                names().map(name -> request -> request.withStreamPrefix(name)));
        Arbitrary<Function<SubscriptionRequest, SubscriptionRequest>> filters = Arbitraries.oneOf(
                Arbitraries.just(Function.identity()),
                types().list().ofMinSize(1).ofMaxSize(SubscriptionRequest.MAX_TYPES)
                        .map(types -> request -> request.withTypes(types)));
        Arbitrary<Function<SubscriptionRequest, SubscriptionRequest>> checkpoints = Arbitraries.oneOf(
                Arbitraries.just(Function.identity()),
                Combinators.combine(Arbitraries.integers().between(1, SubscriptionRequest.MAX_CHECKPOINT_EVENTS),
                        Arbitraries.longs().between(1, SubscriptionRequest.MAX_CHECKPOINT_INTERVAL.toMillis()))
                        .as((events, millis) -> request -> request.withCheckpoints(events, Duration.ofMillis(millis))));
        return Combinators.combine(start, scope, filters, checkpoints)
                .as((s, a, b, c) -> c.apply(b.apply(a.apply(s))));
    }

    @Provide
    Arbitrary<CommandRequest> commandRequests() {
        Arbitrary<Long> id = Arbitraries.longs();
        Arbitrary<Direction> direction = Arbitraries.of(Direction.class);
        Arbitrary<Integer> anyInt = Arbitraries.integers();
        Arbitrary<Integer> credit = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Instant> times = Arbitraries.longs().between(-10_000_000_000L, 10_000_000_000L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
        return Arbitraries.oneOf(
                Combinators.combine(id, appendRequests()).as(CommandRequest.Append::new),
                Combinators.combine(id, names(), Arbitraries.longs(), direction, anyInt).as(CommandRequest.ReadStream::new),
                Combinators.combine(id, Arbitraries.longs(), direction, anyInt).as(CommandRequest.ReadAll::new),
                Combinators.combine(id, ids()).as(CommandRequest.ReadEvent::new),
                Combinators.combine(id, times).as(CommandRequest.PositionAt::new),
                id.map(CommandRequest.Head::new),
                Combinators.combine(id, names()).as(CommandRequest.StreamInfoRequest::new),
                Combinators.combine(id, names().injectNull(0.3), names().injectNull(0.3), anyInt)
                        .as(CommandRequest.ListStreams::new),
                Combinators.combine(id, subscriptionRequests(), credit).as(CommandRequest.Subscribe::new),
                Combinators.combine(id, credit).as(CommandRequest.Credit::new),
                id.map(CommandRequest.Cancel::new),
                id.map(CommandRequest.Ping::new));
    }

    private Arbitrary<RecordedEvent> recordedEvents() {
        Arbitrary<Long> nonNegative = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Instant> times = Arbitraries.longs().between(0, 4_000_000_000L).map(Instant::ofEpochSecond);
        return Combinators.combine(names(), nonNegative, nonNegative, ids(), types(), times, bytes(), bytes())
                .as(RecordedEvent::new);
    }

    @Provide
    Arbitrary<CommandReply> commandReplies() {
        Arbitrary<Long> id = Arbitraries.longs();
        Arbitrary<AppendResult.Written> written = Combinators.combine(names(), Arbitraries.longs(),
                Arbitraries.longs(), ids()).as(AppendResult.Written::new);
        Arbitrary<StreamInfo> infos = Combinators.combine(names(), Arbitraries.longs(), Arbitraries.longs(),
                Arbitraries.longs()).as(StreamInfo::new);
        Arbitrary<SubscriptionEvent> delivered = Combinators.combine(recordedEvents(),
                Arbitraries.longs().between(-1, Long.MAX_VALUE)).as(SubscriptionEvent::new);
        Arbitrary<CommandReply.Error> errors = Combinators.combine(id.optional(), Arbitraries.of(ErrorCode.class),
                Arbitraries.strings().alpha().ofMaxLength(30), names().list().ofMaxSize(3))
                .as((i, code, reason, details) -> new CommandReply.Error(
                        i.map(OptionalLong::of).orElse(OptionalLong.empty()), code, reason, details));
        Arbitrary<CommandReply.Error> wrongVersions = Combinators.combine(id, names(), expectedVersions(),
                Arbitraries.longs().between(-1, 1000))
                .as((i, stream, expected, actual) -> ErrorReplies.of(i,
                        new WrongExpectedVersionException(stream, expected, actual)));
        return Arbitraries.oneOf(
                Combinators.combine(id, written.list().ofMinSize(1).ofMaxSize(5).map(AppendResult::new))
                        .as(CommandReply.Appended::new),
                Combinators.combine(id, recordedEvents().list().ofMaxSize(4), Arbitraries.of(true, false))
                        .as(CommandReply.Events::new),
                Combinators.combine(id, Arbitraries.longs()).as(CommandReply.Position::new),
                Combinators.combine(id, infos.list().ofMaxSize(4), names().optional()).as(CommandReply.Streams::new),
                Combinators.combine(id, Arbitraries.longs()).as(CommandReply.Subscribed::new),
                Combinators.combine(id, delivered.list().ofMinSize(1).ofMaxSize(4)).as(CommandReply.Delivery::new),
                id.map(CommandReply.CaughtUp::new),
                Combinators.combine(id, Arbitraries.longs()).as(CommandReply.Checkpoint::new),
                id.map(CommandReply.Cancelled::new),
                id.map(CommandReply.Pong::new),
                errors, wrongVersions);
    }
}
