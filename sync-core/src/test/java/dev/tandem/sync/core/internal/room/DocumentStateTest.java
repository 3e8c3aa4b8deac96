package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.internal.json.CompactRecord;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.JsonSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The document's records: loaded compact, kept expanded while recently written or read (at most {@link
 * DocumentState#HOT_RECORDS}), compacted when older, and the same values whatever their form.
 */
class DocumentStateTest {
    private static FrozenMap shape(int i, long x) {
        return Frozen.freezeMap(
                Map.of("id", "shape:" + i, "typeName", "shape", "x", x, "props", Map.of("color", "black", "w", 10.5)));
    }

    private static DocumentState loaded(int n) {
        List<RoomSnapshot.Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new RoomSnapshot.Document(shape(i, i), 1));
        }
        return DocumentState.fromSnapshot(new RoomSnapshot(1, docs, Map.of(), 0, null));
    }

    @Test
    void fromSnapshot_keepsRecordsCompact_withTheirValues() {
        DocumentState doc = loaded(3);

        for (int i = 0; i < 3; i++) {
            CompactRecord r = DocumentState.record(doc.docs.get("shape:" + i));
            assertThat(r.isCompact()).isTrue();
            assertThat(r.tree()).isEqualTo(shape(i, i));
            assertThat(DocumentState.size(doc.docs.get("shape:" + i))).isEqualTo(JsonSize.of(shape(i, i)));
        }
    }

    @Test
    void get_expandsTheRecord_soTheNextReadIsTheSameTree() {
        DocumentState doc = loaded(2);

        FrozenMap first = doc.get("shape:1");
        FrozenMap second = doc.get("shape:1");

        assertThat(first).isEqualTo(shape(1, 1)).isSameAs(second);
        assertThat(DocumentState.record(doc.docs.get("shape:1")).isCompact()).isFalse();
        assertThat(DocumentState.record(doc.docs.get("shape:0")).isCompact()).isTrue();
    }

    @Test
    void commit_keepsWrittenRecordsExpanded_andCompactsTheOldestBeyondTheLimit() {
        DocumentState doc = loaded(0);
        int n = DocumentState.HOT_RECORDS + 10;
        for (int i = 0; i < n; i++) {
            DocumentState.Txn txn = doc.new Txn();
            txn.set("shape:" + i, shape(i, i));
            txn.commit();
        }

        for (int i = 0; i < n; i++) {
            CompactRecord r = DocumentState.record(doc.docs.get("shape:" + i));
            assertThat(r.isCompact()).as("shape:%d", i).isEqualTo(i < 10);
            assertThat(r.tree()).isEqualTo(shape(i, i));
        }
    }

    @Test
    void commit_ofARecordWrittenAgain_leavesOnlyTheCurrentOneHeld() {
        DocumentState doc = loaded(1);
        for (long x = 0; x < DocumentState.HOT_RECORDS * 3L; x++) {
            DocumentState.Txn txn = doc.new Txn();
            txn.set("shape:0", shape(0, txn.get("shape:0").get("x") instanceof Long l ? l + 1 : 0));
            txn.commit();
        }

        CompactRecord current = DocumentState.record(doc.docs.get("shape:0"));
        assertThat(current.isCompact()).isFalse();
        assertThat(current.tree()).isEqualTo(shape(0, DocumentState.HOT_RECORDS * 3L));
    }

    @Test
    void toSnapshot_compactsEveryRecord_andSharesThemWithTheSnapshot() {
        DocumentState doc = loaded(3);
        doc.get("shape:2");

        RoomSnapshot snapshot = doc.toSnapshot(null);

        assertThat(snapshot.documents()).hasSize(3).allSatisfy(d -> {
            assertThat(d.state()).isInstanceOf(CompactRecord.class);
            assertThat(((CompactRecord) d.state()).isCompact()).isTrue();
            assertThat(d).isSameAs(doc.docs.get((String) d.state().get("id")));
        });
        DocumentState reloaded = DocumentState.fromSnapshot(snapshot);
        assertThat(reloaded.docs.get("shape:2")).isSameAs(doc.docs.get("shape:2"));
        assertThat(reloaded.totalSize).isEqualTo(doc.totalSize);
    }

    @Test
    void changesSince_givesTheStoredRecords() {
        DocumentState doc = loaded(2);

        DocumentState.ChangesSince all = doc.changesSince(-1);

        assertThat(all.wipeAll()).isTrue();
        assertThat(all.puts()).extracting(CompactRecord::id).containsExactlyInAnyOrder("shape:0", "shape:1");
        assertThat(all.puts()).allSatisfy(r -> {
            int i = Integer.parseInt(r.id().substring("shape:".length()));
            assertThat(r.tree()).isEqualTo(shape(i, i));
        });
    }
}
