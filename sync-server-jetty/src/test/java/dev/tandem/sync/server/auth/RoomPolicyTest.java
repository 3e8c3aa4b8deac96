package dev.tandem.sync.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.RoomStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoomPolicyTest {
    private static final Principal ALICE = new Principal("alice", Map.of());
    private static final Principal BOB = new Principal("bob", Map.of());
    private static final Principal ADMIN = new Principal("root", Map.of("roles", List.of("admin")));

    @Test
    void access_followsOwnerSharedAndLinkType() {
        RoomPolicy priv = RoomPolicy.privateTo("alice");
        RoomPolicy edit = new RoomPolicy("alice", true, RoomPolicy.LinkType.EDIT);
        RoomPolicy view = new RoomPolicy("alice", true, RoomPolicy.LinkType.VIEW);
        assertThat(priv.access(ALICE)).isEqualTo(Access.READ_WRITE);
        assertThat(priv.access(BOB)).isEqualTo(Access.FORBIDDEN);
        assertThat(edit.access(BOB)).isEqualTo(Access.READ_WRITE);
        assertThat(view.access(BOB)).isEqualTo(Access.READ_ONLY);
        assertThat(view.access(ALICE)).isEqualTo(Access.READ_WRITE);
        assertThat(new RoomPolicy("anonymous", false, RoomPolicy.LinkType.EDIT).access(Principal.ANONYMOUS))
                .isEqualTo(Access.FORBIDDEN);
    }

    @Test
    void json_roundTrips_andBadFieldsAreNamed() {
        RoomPolicy p = new RoomPolicy("alice", true, RoomPolicy.LinkType.VIEW);
        assertThat(p.toJson()).isEqualTo("{\"owner\":\"alice\",\"shared\":true,\"linkType\":\"view\"}");
        assertThat(RoomPolicy.fromJson(p.toJson())).isEqualTo(p);
        assertThatThrownBy(() -> RoomPolicy.fromJson("{\"owner\":\"a\",\"linkType\":\"admin\"}"))
                .hasMessage("linkType must be \"edit\" or \"view\"");
        assertThatThrownBy(() -> RoomPolicy.fromJson("{\"owner\":\"a\",\"shared\":\"yes\"}"))
                .hasMessage("shared must be true or false");
        assertThatThrownBy(() -> RoomPolicy.fromJson("{\"owner\":\"a\",\"x\":1}"))
                .hasMessage("unknown policy field x");
        assertThatThrownBy(() -> RoomPolicy.fromJson("[]")).hasMessage("policy must be a JSON object");
    }

    @Test
    void policies_unclaimedOpen_letsEveryoneIn_andAdminsAlways() {
        RoomStore store = RoomStore.inMemory();
        RoomPolicies policies =
                RoomPolicies.builder(store).adminClaim("roles", "admin").build();
        assertThat(policies.access(BOB, "r")).isEqualTo(Access.READ_WRITE);
        policies.save("r", RoomPolicy.privateTo("alice")).join();
        assertThat(policies.access(BOB, "r")).isEqualTo(Access.FORBIDDEN);
        assertThat(policies.access(ADMIN, "r")).isEqualTo(Access.READ_WRITE);
        assertThat(store.loadAttribute("r", "policy").join())
                .isEqualTo(RoomPolicy.privateTo("alice").toJson());
    }

    @Test
    void policies_unclaimedClaim_firstWriterOwnsTheRoom_readsClaimNothing() {
        RoomStore store = RoomStore.inMemory();
        RoomPolicies policies = RoomPolicies.builder(store)
                .unclaimedRooms(RoomPolicies.UnclaimedRooms.CLAIM)
                .build();
        assertThat(policies.access(BOB, "r")).isEqualTo(Access.FORBIDDEN);
        assertThat(policies.policy("r").join()).isEmpty();
        assertThat(policies.wouldClaim(Principal.ANONYMOUS, "r")).isFalse();
        assertThat(policies.wouldClaim(ALICE, "r")).isTrue();
        assertThat(policies.accessToWrite(Principal.ANONYMOUS, "r")).isEqualTo(Access.FORBIDDEN);
        assertThat(policies.accessToWrite(ALICE, "r")).isEqualTo(Access.READ_WRITE);
        assertThat(policies.wouldClaim(BOB, "r")).isFalse();
        assertThat(policies.accessToWrite(BOB, "r")).isEqualTo(Access.FORBIDDEN);
        assertThat(policies.access(ALICE, "r")).isEqualTo(Access.READ_WRITE);
        assertThat(policies.policy("r").join()).contains(RoomPolicy.privateTo("alice"));
    }

    @Test
    void policies_cacheExpires_andSeesStoreChanges() {
        RoomStore store = RoomStore.inMemory();
        long[] now = {0};
        RoomPolicies policies = RoomPolicies.builder(store)
                .cacheTtl(java.time.Duration.ofSeconds(30))
                .nanoTime(() -> now[0])
                .build();
        assertThat(policies.access(BOB, "r")).isEqualTo(Access.READ_WRITE);
        store.saveAttribute("r", "policy", RoomPolicy.privateTo("alice").toJson())
                .join();
        assertThat(policies.access(BOB, "r")).isEqualTo(Access.READ_WRITE);
        now[0] += java.time.Duration.ofSeconds(31).toNanos();
        assertThat(policies.access(BOB, "r")).isEqualTo(Access.FORBIDDEN);
    }

    @Test
    void policies_unreadablePolicy_deniesAllButAdmins() {
        RoomStore store = RoomStore.inMemory();
        store.saveAttribute("r", "policy", "{broken").join();
        RoomPolicies policies =
                RoomPolicies.builder(store).adminClaim("roles", "admin").build();
        assertThat(policies.access(ALICE, "r")).isEqualTo(Access.FORBIDDEN);
        assertThat(policies.access(ADMIN, "r")).isEqualTo(Access.READ_WRITE);
    }
}
