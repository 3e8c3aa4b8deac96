package dev.tandem.sync.core;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a transport knows about a connection request, given to an {@link Authenticator}.
 *
 * @param roomId the room asked for
 * @param headers request headers, names lower-cased
 * @param query query parameters
 * @param remoteAddress the client's address, or null if unknown
 */
public record AuthRequest(
        String roomId,
        Map<String, List<String>> headers,
        Map<String, List<String>> query,
        @Nullable String remoteAddress) {

    public AuthRequest {
        Objects.requireNonNull(roomId, "roomId");
        TreeMap<String, List<String>> h = new TreeMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        headers = java.util.Collections.unmodifiableMap(h);
        TreeMap<String, List<String>> q = new TreeMap<>();
        query.forEach((k, v) -> q.put(k, List.copyOf(v)));
        query = java.util.Collections.unmodifiableMap(q);
    }

    /** Returns the first value of a header (name in any case). */
    public Optional<String> header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /** Returns the first value of a query parameter. */
    public Optional<String> queryParameter(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }
}
