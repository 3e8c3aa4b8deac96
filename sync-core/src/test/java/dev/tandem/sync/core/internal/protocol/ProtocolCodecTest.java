package dev.tandem.sync.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.JsonCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage.HydrationType;
import dev.tandem.sync.core.internal.protocol.ServerMessage.PushAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProtocolCodecTest {

    /** The wire captures from tldraw's own client and server, relative to the module directory. */
    /** Real frames between tldraw's client and server (5.4.2), copied from the protocol reference. */
    private static final Path CAPTURES = capturesDirectory();

    /** Writes JSON with single quotes for readability: every ' becomes ". */
    private static String q(String s) {
        return s.replace('\'', '"');
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    // ---- encoding: exact frames

    @Test
    void encode_pushResultCommit_matchesTldrawFrame() {
        ServerMessage m =
                new ServerMessage.Data(List.of(new ServerMessage.PushResult(0, 1, PushAction.Commit.INSTANCE)));
        assertThat(ProtocolCodec.encode(m))
                .isEqualTo(
                        q(
                                "{'type':'data','data':[{'type':'push_result','clientClock':0,'serverClock':1,'action':'commit'}]}"));
    }

    @Test
    void encode_patchAndRebase_matchTldrawFrames() {
        NetworkDiff diff = NetworkDiff.of(
                Map.of("page:page", new RecordOp.Patch(ObjectDiff.of(Map.of("name", new ValueOp.Put("Renamed"))))));
        assertThat(ProtocolCodec.encode(new ServerMessage.Data(List.of(new ServerMessage.Patch(diff, 1)))))
                .isEqualTo(
                        q(
                                "{'type':'data','data':[{'type':'patch','diff':{'page:page':['patch',{'name':['put','Renamed']}]},'serverClock':1}]}"));
        NetworkDiff x = NetworkDiff.of(
                Map.of("page:page", new RecordOp.Patch(ObjectDiff.of(Map.of("name", new ValueOp.Put("X"))))));
        assertThat(ProtocolCodec.encode(new ServerMessage.Data(
                        List.of(new ServerMessage.PushResult(1, 2, new PushAction.RebaseWithDiff(x))))))
                .isEqualTo(
                        q(
                                "{'type':'data','data':[{'type':'push_result','clientClock':1,'serverClock':2,'action':{'rebaseWithDiff':{'page:page':['patch',{'name':['put','X']}]}}}]}"));
    }

    @Test
    void encode_serverConnect_writesFieldsInTldrawOrderAndOmitsNullObjectAccess() {
        Map<String, Object> schema = map("schemaVersion", 2, "sequences", map("com.tldraw.store", 4));
        ServerMessage.Connect c = new ServerMessage.Connect(
                "abc", HydrationType.WIPE_PRESENCE, 8, schema, NetworkDiff.EMPTY, 7, true, null);
        assertThat(ProtocolCodec.encode(c))
                .isEqualTo(
                        q(
                                "{'type':'connect','connectRequestId':'abc','hydrationType':'wipe_presence','protocolVersion':8,"
                                        + "'schema':{'schemaVersion':2,'sequences':{'com.tldraw.store':4}},'serverClock':7,'diff':{},'isReadonly':true}"));
        ServerMessage.Connect withAccess = new ServerMessage.Connect(
                "abc", HydrationType.WIPE_ALL, 8, schema, NetworkDiff.EMPTY, 0, false, "read");
        assertThat(ProtocolCodec.encode(withAccess)).endsWith(q("'isReadonly':false,'objectAccess':'read'}"));
    }

    @Test
    void encode_otherServerMessages_matchTldrawShapes() {
        assertThat(ProtocolCodec.encode(ServerMessage.Pong.INSTANCE)).isEqualTo(q("{'type':'pong'}"));
        assertThat(ProtocolCodec.encode(new ServerMessage.Custom(map("a", List.of(1, 0.5)))))
                .isEqualTo(q("{'type':'custom','data':{'a':[1,0.5]}}"));
        assertThat(ProtocolCodec.encode(new ServerMessage.Custom(null))).isEqualTo(q("{'type':'custom','data':null}"));
        assertThat(ProtocolCodec.encode(new ServerMessage.IncompatibilityError("clientTooOld")))
                .isEqualTo(q("{'type':'incompatibility_error','reason':'clientTooOld'}"));
        assertThat(ProtocolCodec.encode(new ServerMessage.Data(List.of()))).isEqualTo(q("{'type':'data','data':[]}"));
    }

    @Test
    void encode_clientMessages_omitNullOptionalFields() {
        assertThat(ProtocolCodec.encode(new ClientMessage.Connect("r1", -1, 8, map("schemaVersion", 2))))
                .isEqualTo(
                        q(
                                "{'type':'connect','connectRequestId':'r1','schema':{'schemaVersion':2},'protocolVersion':8,'lastServerClock':-1}"));
        assertThat(ProtocolCodec.encode(new ClientMessage.Connect("r1", 3, null, null)))
                .isEqualTo(q("{'type':'connect','connectRequestId':'r1','lastServerClock':3}"));
        assertThat(ProtocolCodec.encode(new ClientMessage.Push(4, null, null)))
                .isEqualTo(q("{'type':'push','clientClock':4}"));
        assertThat(ProtocolCodec.encode(ClientMessage.Ping.INSTANCE)).isEqualTo(q("{'type':'ping'}"));
    }

    @Test
    void encode_allOps_useTupleForms() {
        ObjectDiff nested = ObjectDiff.of(Map.of("0", new ValueOp.Put(null)));
        Map<String, ValueOp> ops = new LinkedHashMap<>();
        ops.put("a", new ValueOp.Put(List.of(1, "x")));
        ops.put("b", ValueOp.Delete.INSTANCE);
        ops.put("c", new ValueOp.Append("\uD83D\uDE00", 5));
        ops.put("d", new ValueOp.Append(List.of(true), 0));
        ops.put("e", new ValueOp.Patch(nested));
        Map<String, RecordOp> recordOps = new LinkedHashMap<>();
        recordOps.put("r:1", new RecordOp.Put(map("id", "r:1", "typeName", "r")));
        recordOps.put("r:2", new RecordOp.Patch(ObjectDiff.of(ops)));
        recordOps.put("r:3", RecordOp.Remove.INSTANCE);
        ClientMessage.Push push = new ClientMessage.Push(
                9, NetworkDiff.of(recordOps), new RecordOp.Patch(ObjectDiff.of(Map.of("x", new ValueOp.Put(1.5)))));
        String json = ProtocolCodec.encode(push);
        assertThat(json)
                .isEqualTo(
                        q(
                                "{'type':'push','clientClock':9,'diff':{'r:1':['put',{'id':'r:1','typeName':'r'}],"
                                        + "'r:2':['patch',{'a':['put',[1,'x']],'b':['delete'],'c':['append','\uD83D\uDE00',5],'d':['append',[true],0],"
                                        + "'e':['patch',{'0':['put',null]}]}],'r:3':['remove']},'presence':['patch',{'x':['put',1.5]}]}"));
        assertThat(ProtocolCodec.decodeClient(json)).isEqualTo(push);
    }

    @Test
    void encode_intoCallersBuffer_appends() {
        StringBuilder sb = new StringBuilder();
        ProtocolCodec.encode(ServerMessage.Pong.INSTANCE, sb);
        ProtocolCodec.encode(ClientMessage.Ping.INSTANCE, sb);
        assertThat(sb).hasToString(q("{'type':'pong'}{'type':'ping'}"));
    }

    // ---- decoding: valid frames

    @Test
    void decodeClient_connectFromCapture_hasAllFields() {
        ClientMessage m = ProtocolCodec.decodeClient(q("{'type':'connect','connectRequestId':'XmwY','schema':"
                + "{'schemaVersion':2,'sequences':{'com.peer.item':1}},'protocolVersion':8,'lastServerClock':-1}"));
        assertThat(m)
                .isEqualTo(new ClientMessage.Connect(
                        "XmwY", -1, 8, map("schemaVersion", 2, "sequences", map("com.peer.item", 1))));
    }

    @Test
    void decodeClient_connectWithoutVersionOrSchema_decodesThemAsNull() {
        assertThat(ProtocolCodec.decodeClient(q("{'type':'connect','connectRequestId':'a','lastServerClock':0}")))
                .isEqualTo(new ClientMessage.Connect("a", 0, null, null));
        assertThat(
                        ProtocolCodec.decodeClient(
                                q(
                                        "{'type':'connect','connectRequestId':'a','lastServerClock':0,'protocolVersion':null,'schema':null}")))
                .isEqualTo(new ClientMessage.Connect("a", 0, null, null));
    }

    @Test
    void decodeClient_lastServerClockAnyNumber_roundsDownAndSaturates() {
        assertThat(lastServerClock("12")).isEqualTo(12);
        assertThat(lastServerClock("12.9")).isEqualTo(12);
        assertThat(lastServerClock("-0.5")).isEqualTo(-1);
        assertThat(lastServerClock("1e300")).isEqualTo(Long.MAX_VALUE);
        assertThat(lastServerClock("-1e300")).isEqualTo(Long.MIN_VALUE);
        assertThat(lastServerClock("9007199254740993")).isEqualTo(9007199254740992L);
    }

    private static long lastServerClock(String json) {
        return ((ClientMessage.Connect) ProtocolCodec.decodeClient(
                        q("{'type':'connect','connectRequestId':'a','lastServerClock':" + json + "}")))
                .lastServerClock();
    }

    @Test
    void decodeClient_protocolVersionBeyondInt_saturates() {
        assertThat(protocolVersion("8")).isEqualTo(8);
        assertThat(protocolVersion("8.0")).isEqualTo(8);
        assertThat(protocolVersion("99999999999")).isEqualTo(Integer.MAX_VALUE);
        assertThat(protocolVersion("1e30")).isEqualTo(Integer.MAX_VALUE);
        assertThat(protocolVersion("-1e30")).isEqualTo(Integer.MIN_VALUE);
    }

    private static Integer protocolVersion(String json) {
        return ((ClientMessage.Connect) ProtocolCodec.decodeClient(
                        q("{'type':'connect','connectRequestId':'a','lastServerClock':0,'protocolVersion':" + json
                                + "}")))
                .protocolVersion();
    }

    @Test
    void decodeClient_pushWithNullOrEmptyParts_keepsTheDifference() {
        // tldraw never commits a null diff: it differs from anything applied
        assertThat(ProtocolCodec.decodeClient(q("{'type':'push','clientClock':1,'diff':null,'presence':null}")))
                .isEqualTo(new ClientMessage.Push(1, NetworkDiff.EMPTY, null, false));
        assertThat(ProtocolCodec.decodeClient(q("{'type':'push','clientClock':1,'presence':null}")))
                .isEqualTo(new ClientMessage.Push(1, null, null));
        assertThat(ProtocolCodec.decodeClient(q("{'type':'push','clientClock':1,'diff':{}}")))
                .isEqualTo(new ClientMessage.Push(1, NetworkDiff.EMPTY, null));
    }

    @Test
    void decodeClient_unknownFieldsAndExtraTupleElements_areIgnored() {
        ClientMessage m = ProtocolCodec.decodeClient(q("{'future':{'x':1},'type':'push','clientClock':2,"
                + "'diff':{'a':['remove','extra'],'b':['patch',{'s':['append','x',3,'extra'],'t':['delete',1]}]}}"));
        assertThat(((ClientMessage.Push) m).diffAsSent()).isFalse();
        m = new ClientMessage.Push(2, ((ClientMessage.Push) m).diff(), null);
        Map<String, ValueOp> ops = new LinkedHashMap<>();
        ops.put("s", new ValueOp.Append("x", 3));
        ops.put("t", ValueOp.Delete.INSTANCE);
        Map<String, RecordOp> recordOps = new LinkedHashMap<>();
        recordOps.put("a", RecordOp.Remove.INSTANCE);
        recordOps.put("b", new RecordOp.Patch(ObjectDiff.of(ops)));
        assertThat(m).isEqualTo(new ClientMessage.Push(2, NetworkDiff.of(recordOps), null));
        assertThat(ProtocolCodec.decodeClient(q("{'type':'ping','at':5}"))).isEqualTo(ClientMessage.Ping.INSTANCE);
    }

    @Test
    void decodeServer_legacyTopLevelPatchAndPushResult_areAccepted() {
        assertThat(ProtocolCodec.decodeServer(q("{'type':'patch','diff':{'a':['remove']},'serverClock':3}")))
                .isEqualTo(new ServerMessage.Patch(NetworkDiff.of(Map.of("a", RecordOp.Remove.INSTANCE)), 3));
        assertThat(ProtocolCodec.decodeServer(
                        q("{'type':'push_result','clientClock':1,'serverClock':3,'action':'discard'}")))
                .isEqualTo(new ServerMessage.PushResult(1, 3, PushAction.Discard.INSTANCE));
    }

    @Test
    void decodeServer_connectWithoutObjectAccess_isNull() {
        ServerMessage m =
                ProtocolCodec.decodeServer(q("{'type':'connect','connectRequestId':'c','hydrationType':'wipe_all',"
                        + "'protocolVersion':8,'schema':{},'serverClock':0,'diff':{},'isReadonly':false}"));
        assertThat(m)
                .isEqualTo(new ServerMessage.Connect(
                        "c", HydrationType.WIPE_ALL, 8, Map.of(), NetworkDiff.EMPTY, 0, false, null));
    }

    @Test
    void decodeServer_customWithoutData_isNullData() {
        assertThat(ProtocolCodec.decodeServer(q("{'type':'custom'}"))).isEqualTo(new ServerMessage.Custom(null));
        assertThat(ProtocolCodec.decodeServer(q("{'type':'custom','data':[1,{'a':2.5}]}")))
                .isEqualTo(new ServerMessage.Custom(List.of(1, Map.of("a", 2.5))));
    }

    // ---- the real wire captures

    private static Path capturesDirectory() {
        try {
            return Path.of(Objects.requireNonNull(
                                    ProtocolCodecTest.class.getResource("/captures/01-connect-fresh.jsonl"),
                                    "test resource captures/01-connect-fresh.jsonl")
                            .toURI())
                    .getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> captureFrames() throws IOException {
        assertThat(CAPTURES)
                .as("capture directory %s", CAPTURES.toAbsolutePath())
                .isDirectory();
        List<Arguments> frames = new ArrayList<>();
        try (Stream<Path> files = Files.list(CAPTURES)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                int lineNo = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    lineNo++;
                    Map<?, ?> entry = (Map<?, ?>) JsonCodec.parse(line);
                    if (entry.get("dir") == null) {
                        continue;
                    }
                    // The captures hold each frame as JSON.stringify wrote it; "msg" is the last member.
                    int at = line.indexOf(",\"msg\":");
                    assertThat(at).as("%s:%d has a msg member", file, lineNo).isPositive();
                    String frame = line.substring(at + 7, line.length() - 1);
                    assertThat(JsonCodec.parse(frame)).isEqualTo(entry.get("msg"));
                    frames.add(arguments(file.getFileName() + ":" + lineNo, entry.get("dir"), frame));
                }
            }
        }
        assertThat(frames).hasSizeGreaterThanOrEqualTo(60);
        return frames.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("captureFrames")
    void decodeThenEncode_captureFrame_reproducesFrameExactly(String where, String dir, String frame) {
        String reencoded;
        if (dir.equals("c2s")) {
            ClientMessage m = ProtocolCodec.decodeClient(frame);
            reencoded = ProtocolCodec.encode(m);
            assertThat(ProtocolCodec.decodeClient(reencoded)).isEqualTo(m);
        } else {
            assertThat(dir).isEqualTo("s2c");
            ServerMessage m = ProtocolCodec.decodeServer(frame);
            reencoded = ProtocolCodec.encode(m);
            assertThat(ProtocolCodec.decodeServer(reencoded)).isEqualTo(m);
        }
        assertThat(JsonCodec.parse(reencoded)).isEqualTo(JsonCodec.parse(frame));
        assertThat(reencoded).isEqualTo(frame);
    }

    // ---- large frames

    @Test
    void decodeClient_800kbPush_decodesQuickly() {
        Map<String, RecordOp> ops = new LinkedHashMap<>();
        for (int i = 0; i < 3000; i++) {
            String id = "shape:" + i;
            ops.put(
                    id,
                    new RecordOp.Put(map(
                            "id",
                            id,
                            "typeName",
                            "shape",
                            "x",
                            i * 1.25,
                            "y",
                            -i,
                            "rotation",
                            0.5 / (i + 1),
                            "props",
                            map(
                                    "text",
                                    "lorem ipsum dolor sit amet ".repeat(5),
                                    "w",
                                    100,
                                    "h",
                                    50.5,
                                    "points",
                                    List.of(1, 2.5, 3, 4.75)),
                            "meta",
                            map())));
        }
        String json = ProtocolCodec.encode(new ClientMessage.Push(1, NetworkDiff.of(ops), null));
        assertThat(json.length()).isBetween(700_000, 1_000_000);
        ClientMessage decoded = assertTimeout(Duration.ofSeconds(5), () -> ProtocolCodec.decodeClient(json));
        assertThat(((ClientMessage.Push) decoded).diff().size()).isEqualTo(3000);
        assertThat(ProtocolCodec.encode(decoded)).isEqualTo(json);
    }

    // ---- malformed frames

    /** Ops tldraw's server ignores: left out of the decoded diff, which is then no longer as sent. */
    static Stream<Arguments> pushOpsTldrawIgnores() {
        String patchX = "{'a':['patch',{'y':['put',1],'x':";
        String patchY = "{'a':['patch',{'y':['put',1]}]}";
        return Stream.of(
                arguments("[]", "{}"),
                arguments("5", "{}"),
                arguments("'put'", "{}"),
                arguments("{'a':'put','b':['remove']}", "{'b':['remove']}"),
                arguments("{'a':[],'b':['remove']}", "{'b':['remove']}"),
                arguments("{'a':[1],'b':['remove']}", "{'b':['remove']}"),
                arguments("{'a':5,'b':['remove']}", "{'b':['remove']}"),
                arguments("{'a':['upsert',{}],'b':['remove']}", "{'b':['remove']}"),
                arguments("{'a':['put',[]]}", "{'a':['put',{}]}"),
                arguments("{'a':['put','x']}", "{'a':['put',{}]}"),
                arguments("{'a':['put',{'id':'a'},1]}", "{'a':['put',{'id':'a'}]}"),
                arguments("{'a':['patch',[]]}", "{'a':['patch',{}]}"),
                arguments("{'a':['patch',1]}", "{'a':['patch',{}]}"),
                arguments("{'a':['patch',{'y':['put',1]},1]}", patchY),
                arguments(patchX + "'put'}]}", patchY),
                arguments(patchX + "['set',1]}]}", patchY),
                arguments(patchX + "['append','s']}]}", patchY),
                arguments(patchX + "['append',5,0]}]}", patchY),
                arguments(patchX + "['append',{},0]}]}", patchY),
                arguments(patchX + "['append','s',-1]}]}", patchY),
                arguments(patchX + "['append','s',1.5]}]}", patchY),
                arguments(patchX + "['append','s','3']}]}", patchY),
                arguments(patchX + "['append','s',null]}]}", patchY),
                arguments(patchX + "['append','s',3000000000]}]}", patchY),
                arguments(patchX + "['put']}]}", "{'a':['patch',{'y':['put',1],'x':['delete']}]}"),
                arguments(patchX + "['put',2,3]}]}", "{'a':['patch',{'y':['put',1],'x':['put',2]}]}"),
                arguments(patchX + "['delete',1]}]}", "{'a':['patch',{'y':['put',1],'x':['delete']}]}"),
                arguments(patchX + "['patch',1]}]}", "{'a':['patch',{'y':['put',1],'x':['patch',{}]}]}"),
                arguments(patchX + "{'0':'put','1':2}}]}", "{'a':['patch',{'y':['put',1],'x':['put',2]}]}"),
                arguments(
                        "{'a':['patch',{'props':['patch',{'list':['patch',{'0':['nope']}]}]}]}",
                        "{'a':['patch',{'props':['patch',{'list':['patch',{}]}]}]}"));
    }

    @ParameterizedTest
    @MethodSource("pushOpsTldrawIgnores")
    void decodeClient_pushOpsTldrawIgnores_areLeftOutAndThePushIsNotAsSent(String diff, String kept) {
        ClientMessage.Push push = (ClientMessage.Push)
                ProtocolCodec.decodeClient(q("{'type':'push','clientClock':1,'diff':" + diff + "}"));

        assertThat(push.diffAsSent()).isFalse();
        assertThat(ProtocolCodec.encode(push)).isEqualTo(q("{'type':'push','clientClock':1,'diff':" + kept + "}"));
    }

    @Test
    void decodeClient_removeWithExtraElements_isAsSent_asTldrawPassesItOnUnchanged() {
        ClientMessage.Push push = (ClientMessage.Push) ProtocolCodec.decodeClient(
                q("{'type':'push','clientClock':1,'diff':{'a':['remove',1],'b':{'0':'remove'}}}"));

        assertThat(push.diffAsSent()).isTrue();
        assertThat(push.diff().ops())
                .containsOnlyKeys("a", "b")
                .allSatisfy((id, op) -> assertThat(op).isEqualTo(RecordOp.Remove.INSTANCE));
    }

    static Stream<Arguments> malformedClientFrames() {
        String push = "{'type':'push','clientClock':1,";
        String patchA = push + "'diff':{'a':['patch',";
        return Stream.of(
                arguments("[]", "message must be a JSON object"),
                arguments("'push'", "message must be a JSON object"),
                arguments("null", "message must be a JSON object"),
                arguments("{}", "message.type is required"),
                arguments("{'type':1}", "message.type must be a string"),
                arguments("{'type':null}", "message.type must be a string"),
                arguments("{'type':'pong'}", "unknown client message type 'pong'"),
                arguments("{'type':'PUSH'}", "unknown client message type 'PUSH'"),
                arguments("{'type':'push'}", "push.clientClock is required"),
                arguments("{'type':'push','clientClock':'x'}", "push.clientClock must be a number"),
                arguments("{'type':'push','clientClock':null}", "push.clientClock must be a number"),
                arguments("{'type':'push','clientClock':1.5}", "push.clientClock must be an integer"),
                arguments("{'type':'push','clientClock':1e20}", "push.clientClock is out of range"),
                arguments(push + "'diff':{'a':null}}", "push.diff['a'] must not be null"),
                arguments(push + "'diff':{'a':['put']}}", "push.diff['a'] must be ['put', record]"),
                arguments(push + "'diff':{'a':['put',null]}}", "push.diff['a'] must be ['put', record]"),
                arguments(push + "'diff':{'a':['patch']}}", "push.diff['a'] must be ['patch', diff]"),
                arguments(patchA + "null]}}", "push.diff['a'] must be ['patch', diff]"),
                arguments(patchA + "{'x':null}]}}", "push.diff['a'][1]['x'] must not be null"),
                arguments(patchA + "{'x':['patch']}]}}", "push.diff['a'][1]['x'] must be ['patch', diff]"),
                arguments(
                        patchA + "{'props':['patch',{'list':['patch',{'0':['patch',null]}]}]}]}}",
                        "push.diff['a'][1]['props'][1]['list'][1]['0'] must be ['patch', diff]"),
                arguments(push + "'presence':['remove']}", "push.presence must be ['put', record] or ['patch', diff]"),
                arguments(push + "'presence':'x'}", "push.presence must be an array"),
                arguments(push + "'presence':['put',1]}", "push.presence[1] must be an object"),
                arguments("{'type':'connect','lastServerClock':0}", "connect.connectRequestId is required"),
                arguments(
                        "{'type':'connect','connectRequestId':5,'lastServerClock':0}",
                        "connect.connectRequestId must be a string"),
                arguments("{'type':'connect','connectRequestId':'a'}", "connect.lastServerClock is required"),
                arguments(
                        "{'type':'connect','connectRequestId':'a','lastServerClock':'1'}",
                        "connect.lastServerClock must be a number"),
                arguments(
                        "{'type':'connect','connectRequestId':'a','lastServerClock':null}",
                        "connect.lastServerClock must be a number"),
                arguments(
                        "{'type':'connect','connectRequestId':'a','lastServerClock':0,'protocolVersion':'8'}",
                        "connect.protocolVersion must be a number"),
                arguments(
                        "{'type':'connect','connectRequestId':'a','lastServerClock':0,'protocolVersion':8.5}",
                        "connect.protocolVersion must be an integer"),
                arguments(
                        "{'type':'connect','connectRequestId':'a','lastServerClock':0,'schema':[]}",
                        "connect.schema must be an object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedClientFrames")
    void decodeClient_malformed_throwsProtocolExceptionNamingTheProblem(String json, String message) {
        assertThatThrownBy(() -> ProtocolCodec.decodeClient(q(json)))
                .isInstanceOf(ProtocolException.class)
                .hasMessage(q(message))
                .satisfies(e -> assertThat(((ProtocolException) e).reason()).isEqualTo(CloseReason.UNKNOWN_ERROR));
    }

    static Stream<Arguments> malformedServerFrames() {
        String connect = "{'type':'connect','connectRequestId':'c','hydrationType':'wipe_all','protocolVersion':8,"
                + "'schema':{},'serverClock':0,'diff':{},";
        return Stream.of(
                arguments("{'type':'ping'}", "unknown server message type 'ping'"),
                arguments("{'type':'data'}", "data.data is required"),
                arguments("{'type':'data','data':{}}", "data.data must be an array"),
                arguments("{'type':'data','data':[1]}", "data.data[0] must be an object"),
                arguments("{'type':'data','data':[{}]}", "data.data[0].type is required"),
                arguments(
                        "{'type':'data','data':[{'type':'pong'}]}",
                        "data.data[0].type must be 'patch' or 'push_result' but was 'pong'"),
                arguments(
                        "{'type':'data','data':[{'type':'patch','diff':{},'serverClock':1},{'type':'patch','diff':{},'serverClock':'1'}]}",
                        "data.data[1].serverClock must be a number"),
                arguments("{'type':'data','data':[{'type':'patch','serverClock':1}]}", "data.data[0].diff is required"),
                arguments(
                        "{'type':'push_result','clientClock':1,'serverClock':2,'action':'rebase'}",
                        "push_result.action must be 'commit', 'discard' or {'rebaseWithDiff': diff}"),
                arguments(
                        "{'type':'push_result','clientClock':1,'serverClock':2,'action':{'rebaseWithDiff':null}}",
                        "push_result.action must be 'commit', 'discard' or {'rebaseWithDiff': diff}"),
                arguments(
                        "{'type':'push_result','clientClock':1,'serverClock':2,'action':{'rebaseWithDiff':{'a':['remove'],'b':0}}}",
                        "push_result.action.rebaseWithDiff['b'] must be an array"),
                arguments("{'type':'push_result','clientClock':1,'serverClock':2}", "push_result.action is required"),
                arguments(
                        "{'type':'connect','connectRequestId':'c','hydrationType':'wipe','protocolVersion':8}",
                        "connect.hydrationType must be 'wipe_all' or 'wipe_presence' but was 'wipe'"),
                arguments(connect + "'isReadonly':'no'}", "connect.isReadonly must be a boolean"),
                arguments(connect + "'isReadonly':false,'objectAccess':1}", "connect.objectAccess must be a string"),
                arguments(
                        "{'type':'connect','connectRequestId':'c','hydrationType':'wipe_all','protocolVersion':8,'schema':{},'serverClock':0}",
                        "connect.diff is required"),
                arguments("{'type':'incompatibility_error'}", "incompatibility_error.reason is required"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedServerFrames")
    void decodeServer_malformed_throwsProtocolExceptionNamingTheProblem(String json, String message) {
        assertThatThrownBy(() -> ProtocolCodec.decodeServer(q(json)))
                .isInstanceOf(ProtocolException.class)
                .hasMessage(q(message));
    }

    @Test
    void decodeClient_malformedJson_throwsProtocolExceptionWithParserMessage() {
        assertThatThrownBy(() -> ProtocolCodec.decodeClient("garbage"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("malformed JSON at line 1, column 1: Unrecognized token 'garbage': was expecting "
                        + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProtocolCodec.decodeClient(""))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("malformed JSON: no value in input");
        assertThatThrownBy(() -> ProtocolCodec.decodeClient(q("{'type':'ping'}x")))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("malformed JSON at line 1, column 16: Unrecognized token 'x'");
    }

    @Test
    void decodeClient_deeplyNested_isRejectedWithoutStackOverflow() {
        String deep = q("{'type':'push','clientClock':1,'diff':{'a':['patch',")
                + q("{'x':['patch',").repeat(600)
                + "{}"
                + "]}".repeat(600)
                + "]}}";
        assertThatThrownBy(() -> ProtocolCodec.decodeClient(deep))
                .isInstanceOf(ProtocolException.class)
                .hasMessageEndingWith(": nesting deeper than 1000 levels");
        String justUnder = q("{'type':'push','clientClock':1,'diff':{'a':['patch',")
                + q("{'x':['patch',").repeat(497)
                + "{}"
                + "]}".repeat(497)
                + "]}}";
        assertThat(ProtocolCodec.decodeClient(justUnder)).isInstanceOf(ClientMessage.Push.class);
    }

    @Test
    void decodeClient_longKeyInError_isCutShort() {
        String key = "k".repeat(100);
        assertThatThrownBy(() ->
                        ProtocolCodec.decodeClient(q("{'type':'push','clientClock':1,'diff':{'" + key + "':null}}")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("push.diff[\"" + "k".repeat(40) + "…\"] must not be null");
    }
}
