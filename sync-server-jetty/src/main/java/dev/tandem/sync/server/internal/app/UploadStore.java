package dev.tandem.sync.server.internal.app;

import dev.tandem.sync.server.internal.budget.UploadQuota;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A content-addressed file store for uploaded assets: an object is stored as {@code <sha-256 hex>.<ext>} in one
 * directory, its extension fixed by its content type. Only allowed content types (images, video, PDF) and
 * objects up to a size limit are accepted; uploads stream to a temporary file and are moved into place once
 * complete, so a reader never sees a partial object. Thread-safe.
 */
public final class UploadStore {
    /** The content types accepted, with the extension each is stored under. */
    static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("image/png", "png"),
            Map.entry("image/jpeg", "jpg"),
            Map.entry("image/gif", "gif"),
            Map.entry("image/webp", "webp"),
            Map.entry("image/avif", "avif"),
            Map.entry("image/svg+xml", "svg"),
            Map.entry("video/mp4", "mp4"),
            Map.entry("video/webm", "webm"),
            Map.entry("video/quicktime", "mov"),
            Map.entry("application/pdf", "pdf"));

    private static final Pattern STORED_NAME = Pattern.compile("[0-9a-f]{64}\\.[a-z0-9]{2,5}");
    private static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9._~-]{1,200}");

    private final Path dir;
    private final long maxBytes;
    private final UploadQuota quota;

    /** A stored object: its name, size and content type. */
    public record StoredObject(String objectName, long size, String contentType) {}

    /** Why an upload was refused; {@code code} is the JSON error code. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        Refused(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    /**
     * @param dir the directory, created if missing
     * @param maxBytes the largest object accepted
     */
    public UploadStore(Path dir, long maxBytes) {
        this(dir, maxBytes, new UploadQuota(Long.MAX_VALUE, Long.MAX_VALUE, 1));
    }

    /**
     * @param dir the directory, created if missing
     * @param maxBytes the largest object accepted
     * @param quota the node's upload quota; the objects already in {@code dir} count against its total
     */
    public UploadStore(Path dir, long maxBytes, UploadQuota quota) {
        this.dir = Objects.requireNonNull(dir, "dir");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxUploadBytes must be > 0 but was " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.quota = Objects.requireNonNull(quota, "quota");
        quota.addStored(storedBytes(dir));
    }

    private static long storedBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.filter(
                            f -> STORED_NAME.matcher(f.getFileName().toString()).matches())
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the upload directory " + dir, e);
        }
    }

    /** Returns the largest object accepted, in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Stores one object from a stream, reading at most one byte past the limit.
     *
     * @param clientName the name the client asked for (checked, but the stored name is the content hash)
     * @param contentType the request's content type
     * @param declaredLength the request's content length, or -1 if unknown
     */
    public StoredObject put(String clientName, String contentType, long declaredLength, InputStream body)
            throws Refused, IOException {
        return put("", clientName, contentType, declaredLength, body);
    }

    /**
     * Stores one object from a stream for {@code client} (a principal, or an anonymous client's address), within
     * the node's upload quota: past the node's total it is refused with {@code 507 UPLOAD_QUOTA_EXCEEDED}, past
     * the client's own share with {@code 413 UPLOAD_QUOTA_EXCEEDED}. An object already stored takes nothing from
     * the total.
     */
    public StoredObject put(String client, String clientName, String contentType, long declaredLength, InputStream body)
            throws Refused, IOException {
        if (!CLIENT_NAME.matcher(clientName).matches() || clientName.startsWith(".")) {
            throw new Refused(
                    400,
                    "INVALID_OBJECT_NAME",
                    "objectName must be 1 to 200 letters, digits or . _ ~ - and not start with a dot");
        }
        String type = mediaType(contentType);
        String ext = TYPES.get(type);
        if (ext == null) {
            throw new Refused(
                    415,
                    "UNSUPPORTED_CONTENT_TYPE",
                    "content type '" + type + "' is not allowed; use one of "
                            + new java.util.TreeSet<>(TYPES.keySet()));
        }
        if (declaredLength > maxBytes) {
            throw tooLarge();
        }
        if (declaredLength > 0) {
            UploadQuota.Refusal over = quota.check(client, declaredLength);
            if (over != null) {
                throw overQuota(over);
            }
        }
        // the stream stops one byte past what the quota leaves, so a refused upload never fills the disk
        long room = quota.remaining(client);
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".upload-", ".part");
        try {
            MessageDigest sha = sha256();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(temp)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = body.read(buf)) >= 0; ) {
                    size += n;
                    if (size > maxBytes) {
                        throw tooLarge();
                    }
                    if (size > room) {
                        UploadQuota.Refusal over = quota.check(client, size);
                        throw overQuota(over != null ? over : UploadQuota.Refusal.CLIENT);
                    }
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            if (size == 0) {
                throw new Refused(400, "EMPTY_UPLOAD", "the upload is empty");
            }
            String name = HexFormat.of().formatHex(sha.digest()) + "." + ext;
            Path target = dir.resolve(name);
            boolean isNew = !Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            UploadQuota.Refusal over = quota.take(client, size, isNew);
            if (over != null) {
                throw overQuota(over);
            }
            if (isNew) {
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                    // another upload of the same bytes won, or the file system cannot rename atomically
                    if (!Files.exists(target)) {
                        Files.move(temp, target);
                    }
                }
            }
            return new StoredObject(name, size, type);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Returns the stored file for a name, if the name is a stored object's name and it exists. */
    public Optional<Path> get(String objectName) {
        if (!STORED_NAME.matcher(objectName).matches()) {
            return Optional.empty();
        }
        Path file = dir.resolve(objectName);
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(file) : Optional.empty();
    }

    /** Returns the content type a stored object is served with. */
    public static String contentType(String objectName) {
        String ext = objectName.substring(objectName.lastIndexOf('.') + 1);
        return TYPES.entrySet().stream()
                .filter(e -> e.getValue().equals(ext))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("application/octet-stream");
    }

    private Refused overQuota(UploadQuota.Refusal over) {
        return over == UploadQuota.Refusal.TOTAL
                ? new Refused(
                        507,
                        "UPLOAD_QUOTA_EXCEEDED",
                        "the server's uploads hold their limit of " + quota.maxTotal() + " bytes")
                : new Refused(
                        413,
                        "UPLOAD_QUOTA_EXCEEDED",
                        "this client has used its upload quota of " + quota.maxPerClient() + " bytes");
    }

    private Refused tooLarge() {
        return new Refused(413, "UPLOAD_TOO_LARGE", "the upload is larger than the limit of " + maxBytes + " bytes");
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
