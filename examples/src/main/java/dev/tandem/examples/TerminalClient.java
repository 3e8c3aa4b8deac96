package dev.tandem.examples;

import dev.tandem.sync.client.ChangeSource;
import dev.tandem.sync.client.StoreChange;
import dev.tandem.sync.client.SyncClient;
import dev.tandem.sync.client.SyncListener;
import dev.tandem.sync.client.SyncStatus;
import dev.tandem.sync.client.TypedRecords;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.server.TandemServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * A terminal client for one room: lists the room's notes, adds, edits and removes them, and prints other
 * clients' changes as they arrive. Run two or more in different terminals on the same room.
 *
 * <pre>
 * TerminalClient [--serve] &lt;baseUrl&gt; &lt;roomId&gt; [name]
 * </pre>
 *
 * <p>{@code --serve} also starts a Tandem server in this process on the base URL's port (the first terminal
 * can host the room for the others). Commands: {@code ls}, {@code add <text>}, {@code edit <id> <text>},
 * {@code rm <id>}, {@code who}, {@code quit}.
 */
public final class TerminalClient {
    /** A note record; extra JSON properties are ignored when reading. */
    public record Note(String id, String typeName, String text, String author) {}

    private static final Map<String, Object> SCHEMA =
            Map.of("schemaVersion", 2, "sequences", Map.of("com.tandem.example.note", 1));

    /** What the server started with {@code --serve} lets into a room: notes with a text and an author. */
    static final RoomSchema NOTES = RoomSchema.builder()
            .sequence("com.tandem.example.note", 1)
            .documentType("note", note -> {
                if (!(note.get("text") instanceof String) || !(note.get("author") instanceof String)) {
                    throw new IllegalArgumentException("a note needs a string text and author");
                }
            })
            .presenceType("instance_presence")
            .build();

    private TerminalClient() {}

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.in, System.out));
    }

    /** Runs the client reading commands from {@code input}; returns the exit code. */
    static int run(String[] args, java.io.InputStream input, PrintStream out) throws IOException {
        boolean serve = args.length > 0 && args[0].equals("--serve");
        int first = serve ? 1 : 0;
        if (args.length - first < 2) {
            out.println("usage: TerminalClient [--serve] <baseUrl> <roomId> [name]");
            return 2;
        }
        URI base = URI.create(args[first]);
        String room = args[first + 1];
        String name = args.length - first > 2
                ? args[first + 2]
                : "user-" + UUID.randomUUID().toString().substring(0, 4);

        TandemServer server = null;
        if (serve) {
            server = TandemServer.builder()
                    .port(base.getPort())
                    .roomOptions(RoomOptions.builder().schema(NOTES).build())
                    .build()
                    .start();
            out.println("serving rooms on " + server.uri());
        }
        SyncClient client = SyncClient.builder()
                .baseUrl(base)
                .roomId(room)
                .schema(SCHEMA)
                .presence(() -> Map.of("userName", name))
                .listener(new SyncListener() {
                    @Override
                    public void onStatusChange(SyncStatus status) {
                        out.println("* " + status);
                    }
                })
                .storeListener(change -> printRemote(out, change))
                .build();
        TypedRecords<Note> notes = client.store().typed("note", Note.class);

        out.println(
                "joined " + room + " as " + name + "; commands: ls, add <text>, edit <id> <text>, rm <id>, who, quit");
        BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.trim().split(" ", 3);
            try {
                switch (parts[0]) {
                    case "" -> {}
                    case "ls" ->
                        notes.all().forEach(n -> out.println(n.id() + "  " + n.text() + "  (" + n.author() + ")"));
                    case "add" -> {
                        String text = line.trim().substring(3).trim();
                        Note n = new Note("note:" + UUID.randomUUID().toString().substring(0, 8), "note", text, name);
                        notes.put(n);
                        out.println("added " + n.id());
                    }
                    case "edit" -> {
                        if (parts.length < 3 || notes.get(parts[1]).isEmpty()) {
                            out.println("usage: edit <id> <text> (ids are listed by ls)");
                        } else {
                            Note n = notes.get(parts[1]).orElseThrow();
                            notes.put(new Note(n.id(), n.typeName(), parts[2], name));
                        }
                    }
                    case "rm" -> out.println(parts.length > 1 && notes.remove(parts[1]) ? "removed" : "no such note");
                    case "who" ->
                        client.store()
                                .query("instance_presence")
                                .forEach(p -> out.println(p.get("userName") + " is here"));
                    case "quit" -> {
                        client.close();
                        if (server != null) {
                            server.close();
                        }
                        return 0;
                    }
                    default -> out.println("unknown command " + parts[0]);
                }
            } catch (IllegalArgumentException e) {
                out.println("error: " + e.getMessage());
            }
        }
        client.close();
        if (server != null) {
            server.close();
        }
        return 0;
    }

    private static void printRemote(PrintStream out, StoreChange change) {
        if (change.source() != ChangeSource.REMOTE) {
            return;
        }
        change.added().forEach((id, r) -> out.println("+ " + id + " " + describe(r)));
        change.updated().forEach((id, u) -> out.println("~ " + id + " " + describe(u.to())));
        change.removed().forEach((id, r) -> out.println("- " + id));
    }

    private static String describe(Map<String, Object> record) {
        if ("instance_presence".equals(record.get("typeName"))) {
            return record.get("userName") + " is here";
        }
        return record.get("text") + " (" + record.get("author") + ")";
    }
}
