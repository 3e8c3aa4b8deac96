package dev.tandem.sync.bench.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A minimal WebSocket client on a plain socket, for timing how long a server takes to deliver one large message:
 * it keeps a text message's bytes as they arrive and decodes them once, at the end, with the JDK's UTF-8 decoder.
 * (Jetty's and the JDK's WebSocket clients decode text a byte or a char at a time, ~100 MB/s on the benchmark
 * machine: for an 11.6 MB connect reply that alone took ~100 ms, the same for every server, and hid most of
 * the difference between them. A browser's TextDecoder is much faster.) Not thread-safe; every read is bounded by
 * the socket's read timeout.
 */
final class RawWebSocket implements Closeable {
    private static final int TEXT = 0x1;
    private static final int CONTINUATION = 0x0;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final long maxMessageBytes;

    private RawWebSocket(Socket socket, long maxMessageBytes) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        this.out = socket.getOutputStream();
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Opens a WebSocket to {@code 127.0.0.1:port} at {@code path} (HTTP/1.1 upgrade). */
    static RawWebSocket open(int port, String path, int timeoutMillis, long maxMessageBytes) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.setTcpNoDelay(true);
            RawWebSocket ws = new RawWebSocket(s, maxMessageBytes);
            ws.upgrade(port, path);
            return ws;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void upgrade(int port, String path) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection during the upgrade");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 16 * 1024) {
                throw new IOException("an upgrade response over 16 KiB");
            }
        }
        String status = head.toString(StandardCharsets.US_ASCII);
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + status.lines().findFirst().orElse(""));
        }
    }

    /** Sends one text message in one masked frame, as a client must. */
    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | TEXT);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) payload.length >>> shift) & 0xFF));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        frame.write(payload);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Reads the next whole text message (pings are answered, other control frames end the session). */
    String receiveText() throws IOException {
        byte[] message = new byte[1 << 16];
        int length = 0;
        while (true) {
            int b0 = readByte();
            int b1 = readByte();
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            long size = b1 & 0x7F;
            if (size == 126) {
                size = ((long) readByte() << 8) | readByte();
            } else if (size == 127) {
                size = 0;
                for (int i = 0; i < 8; i++) {
                    size = (size << 8) | readByte();
                }
            }
            if ((b1 & 0x80) != 0) {
                throw new IOException("a masked frame from the server");
            }
            if (opcode == CLOSE) {
                throw new IOException(
                        "the server closed the session: " + new String(readFully(size), StandardCharsets.UTF_8));
            }
            if (opcode == PING) {
                readFully(size); // the reply is not needed for one message's time
                continue;
            }
            if (opcode != TEXT && opcode != CONTINUATION) {
                readFully(size);
                continue;
            }
            if (length + size > maxMessageBytes) {
                throw new IOException("a message over " + maxMessageBytes + " bytes");
            }
            if (length + size > message.length) {
                message = Arrays.copyOf(message, (int) Math.max(length + size, 2L * message.length));
            }
            readInto(message, length, (int) size);
            length += (int) size;
            if (fin) {
                return new String(message, 0, length, StandardCharsets.UTF_8);
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the server closed the connection");
        }
        return b;
    }

    private byte[] readFully(long size) throws IOException {
        if (size > 1 << 20) {
            throw new IOException("a control frame of " + size + " bytes");
        }
        byte[] b = new byte[(int) size];
        readInto(b, 0, b.length);
        return b;
    }

    private void readInto(byte[] into, int offset, int size) throws IOException {
        int done = 0;
        while (done < size) {
            int n = in.read(into, offset + done, size - done);
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
            done += n;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
