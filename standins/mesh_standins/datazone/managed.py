"""The service-managed (`amazon.datazone.*`) form and asset types the Glue journey relies on.

Their exact Smithy models are not published; these cover the fields the DataZone docs and
samples show for Glue table assets and column business metadata (see the assumptions list).
"""

from __future__ import annotations

from typing import Any

MANAGED_PROJECT = "amazon-datazone"  # owningProjectId reported for managed types
MANAGED_REVISION = "1"

GLUE_TABLE_FORM_TYPE = "amazon.datazone.GlueTableFormType"
COLUMN_METADATA_FORM_TYPE = "amazon.datazone.ColumnBusinessMetadataFormType"
COMMON_DETAILS_FORM_TYPE = "amazon.datazone.AssetCommonDetailsFormType"
DATA_SOURCE_REFERENCE_FORM_TYPE = "amazon.datazone.DataSourceReferenceFormType"
GLUE_TABLE_ASSET_TYPE = "amazon.datazone.GlueTableAssetType"

FORM_TYPES: dict[str, str] = {
    GLUE_TABLE_FORM_TYPE: """
structure GlueTableFormType {
    @required
    tableName: String
    @required
    tableArn: String
    catalogId: String
    databaseName: String
    region: String
    tableDescription: String
    sourceClientId: String
    compressionType: String
    columns: Columns
    primaryKeys: Names
    sortKeys: Names
    lakeFormationDetails: LakeFormationDetails
}
list Columns { member: Column }
structure Column {
    @required
    columnName: String
    @required
    dataType: String
    description: String
}
list Names { member: String }
structure LakeFormationDetails {
    lakeFormationManagedTable: Boolean
    lakeFormationTags: Names
}
""",
    COLUMN_METADATA_FORM_TYPE: """
structure ColumnBusinessMetadataFormType {
    columnsBusinessMetadata: ColumnsBusinessMetadata
}
list ColumnsBusinessMetadata { member: ColumnBusinessMetadata }
structure ColumnBusinessMetadata {
    @required
    name: String
    businessName: String
    description: String
    glossaryTerms: TermIds
}
list TermIds { member: String }
""",
    COMMON_DETAILS_FORM_TYPE: """
structure AssetCommonDetailsFormType {
    customProperties: Properties
}
map Properties { key: String, value: String }
""",
    DATA_SOURCE_REFERENCE_FORM_TYPE: """
structure DataSourceReferenceFormType {
    dataSourceIdentifier: String
    filterableDataSourceId: String
    dataSourceRunId: String
}
""",
}

# asset type -> formName -> (form type, required)
ASSET_TYPES: dict[str, dict[str, tuple[str, bool]]] = {
    GLUE_TABLE_ASSET_TYPE: {
        "GlueTableForm": (GLUE_TABLE_FORM_TYPE, True),
        "ColumnBusinessMetadataForm": (COLUMN_METADATA_FORM_TYPE, False),
        "AssetCommonDetailsForm": (COMMON_DETAILS_FORM_TYPE, False),
        "DataSourceReferenceForm": (DATA_SOURCE_REFERENCE_FORM_TYPE, False),
    },
}
# Forms the service writes and users only read (returned in readOnlyFormsOutput).
READ_ONLY_FORMS = {"DataSourceReferenceForm"}


def form_type_record(domain_id: str, name: str) -> dict[str, Any] | None:
    if name not in FORM_TYPES:
        return None
    return {
        "domainId": domain_id,
        "name": name,
        "revisions": [
            {
                "revision": MANAGED_REVISION,
                "model": {"smithy": FORM_TYPES[name].strip()},
                "status": "ENABLED",
                "owningProjectId": MANAGED_PROJECT,
                "description": f"Managed form type {name}",
                "createdAt": 0.0,
                "createdBy": "amazon.datazone",
            }
        ],
    }


def asset_type_record(domain_id: str, name: str) -> dict[str, Any] | None:
    forms = ASSET_TYPES.get(name)
    if forms is None:
        return None
    return {
        "domainId": domain_id,
        "name": name,
        "revisions": [
            {
                "revision": MANAGED_REVISION,
                "description": f"Managed asset type {name}",
                "formsOutput": {
                    form: {"typeName": t, "typeRevision": MANAGED_REVISION, "required": req}
                    for form, (t, req) in forms.items()
                },
                "owningProjectId": MANAGED_PROJECT,
                "createdAt": 0.0,
                "createdBy": "amazon.datazone",
                "updatedAt": 0.0,
                "updatedBy": "amazon.datazone",
            }
        ],
    }
