"""The database holds the kind invariants a CHECK constraint cannot:
an accommodation's kind never changes, and a child row matches its parent's kind."""
from django.db import migrations

KIND_TRIGGERS = """
CREATE FUNCTION catalog_accommodation_kind_is_fixed() RETURNS trigger AS $$
BEGIN
    IF NEW.kind IS DISTINCT FROM OLD.kind THEN
        RAISE EXCEPTION 'the kind of accommodation % cannot change (% -> %)', OLD.id, OLD.kind, NEW.kind
            USING ERRCODE = 'check_violation', CONSTRAINT = 'accommodation_kind_fixed';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER accommodation_kind_fixed BEFORE UPDATE OF kind ON catalog_accommodation
    FOR EACH ROW EXECUTE FUNCTION catalog_accommodation_kind_is_fixed();

CREATE FUNCTION catalog_child_matches_kind() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM catalog_accommodation WHERE id = NEW.accommodation_ptr_id AND kind = TG_ARGV[0]
    ) THEN
        RAISE EXCEPTION 'accommodation % is not of kind %', NEW.accommodation_ptr_id, TG_ARGV[0]
            USING ERRCODE = 'check_violation', CONSTRAINT = 'accommodation_child_matches_kind';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER hotel_matches_kind BEFORE INSERT OR UPDATE ON catalog_hotel
    FOR EACH ROW EXECUTE FUNCTION catalog_child_matches_kind('HOTEL');
CREATE TRIGGER apartment_matches_kind BEFORE INSERT OR UPDATE ON catalog_apartment
    FOR EACH ROW EXECUTE FUNCTION catalog_child_matches_kind('APARTMENT');
"""

DROP_KIND_TRIGGERS = """
DROP TRIGGER IF EXISTS apartment_matches_kind ON catalog_apartment;
DROP TRIGGER IF EXISTS hotel_matches_kind ON catalog_hotel;
DROP FUNCTION IF EXISTS catalog_child_matches_kind();
DROP TRIGGER IF EXISTS accommodation_kind_fixed ON catalog_accommodation;
DROP FUNCTION IF EXISTS catalog_accommodation_kind_is_fixed();
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunSQL(KIND_TRIGGERS, DROP_KIND_TRIGGERS)]
