"""The service-managed (`amazon.datazone.*`) form and asset types every new domain has.

Which types exist is documented (User Guide, "Create custom asset types"; "Data quality"); their
exact Smithy models are not published. These carry the fields the documentation and its examples
show, so content the real service accepts for those fields is accepted here (FIDELITY.md, TY-1).
"""

from __future__ import annotations

from typing import Any

MANAGED_PROJECT = "amazon-datazone"  # owningProjectId reported for managed types
MANAGED_REVISION = "1"
PREFIX = "amazon.datazone."

GLUE_TABLE_FORM_TYPE = "amazon.datazone.GlueTableFormType"
GLUE_VIEW_FORM_TYPE = "amazon.datazone.GlueViewFormType"
REDSHIFT_TABLE_FORM_TYPE = "amazon.datazone.RedshiftTableFormType"
REDSHIFT_VIEW_FORM_TYPE = "amazon.datazone.RedshiftViewFormType"
S3_COLLECTION_FORM_TYPE = "amazon.datazone.S3ObjectCollectionFormType"
RELATIONAL_TABLE_FORM_TYPE = "amazon.datazone.RelationalTableFormType"
COLUMN_METADATA_FORM_TYPE = "amazon.datazone.ColumnBusinessMetadataFormType"
COMMON_DETAILS_FORM_TYPE = "amazon.datazone.AssetCommonDetailsFormType"
DATA_SOURCE_REFERENCE_FORM_TYPE = "amazon.datazone.DataSourceReferenceFormType"
SUBSCRIPTION_TERMS_FORM_TYPE = "amazon.datazone.SubscriptionTermsFormType"
DATA_QUALITY_FORM_TYPE = "amazon.datazone.DataQualityResultFormType"

GLUE_TABLE_ASSET_TYPE = "amazon.datazone.GlueTableAssetType"
GLUE_VIEW_ASSET_TYPE = "amazon.datazone.GlueViewAssetType"
REDSHIFT_TABLE_ASSET_TYPE = "amazon.datazone.RedshiftTableAssetType"
REDSHIFT_VIEW_ASSET_TYPE = "amazon.datazone.RedshiftViewAssetType"
S3_COLLECTION_ASSET_TYPE = "amazon.datazone.S3ObjectCollectionAssetType"

_COLUMNS = """
list Columns { member: Column }
structure Column {
    @required
    columnName: String
    @required
    dataType: String
    description: String
}
list Names { member: String }
"""

_GLUE_FORM = """
structure {name} {{
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
}}
structure LakeFormationDetails {{
    lakeFormationManagedTable: Boolean
    lakeFormationTags: Names
}}
"""

_REDSHIFT_FORM = """
structure {name} {{
    @required
    tableName: String
    @required
    schemaName: String
    databaseName: String
    clusterName: String
    workgroupName: String
    columns: Columns
}}
"""

FORM_TYPES: dict[str, str] = {
    GLUE_TABLE_FORM_TYPE: _GLUE_FORM.format(name="GlueTableFormType") + _COLUMNS,
    GLUE_VIEW_FORM_TYPE: _GLUE_FORM.format(name="GlueViewFormType") + _COLUMNS,
    REDSHIFT_TABLE_FORM_TYPE: _REDSHIFT_FORM.format(name="RedshiftTableFormType") + _COLUMNS,
    REDSHIFT_VIEW_FORM_TYPE: _REDSHIFT_FORM.format(name="RedshiftViewFormType") + _COLUMNS,
    S3_COLLECTION_FORM_TYPE: """
structure S3ObjectCollectionFormType {
    @required
    bucketArn: String
    prefix: String
    columns: Columns
}
"""
    + _COLUMNS,
    # "use RelationalTableFormType to add technical metadata to columns, such as column names,
    # descriptions and data types" (User Guide, Create custom asset types)
    RELATIONAL_TABLE_FORM_TYPE: """
structure RelationalTableFormType {
    @required
    tableName: String
    tableDescription: String
    columns: Columns
}
"""
    + _COLUMNS,
    # glossaryTerms holds term ids: annotated so Search/SearchListings can filter on them
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
    @amazon.datazone#glossaryterm("*")
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
    SUBSCRIPTION_TERMS_FORM_TYPE: """
structure SubscriptionTermsFormType {
    terms: Terms
}
list Terms { member: String }
""",
    # The payload of the User Guide's data-quality example ("Data quality in Amazon DataZone").
    DATA_QUALITY_FORM_TYPE: """
structure DataQualityResultFormType {
    @required
    @range(min: 0, max: 100)
    passingPercentage: Double
    @required
    @range(min: 0)
    evaluationsCount: Integer
    evaluations: Evaluations
}
list Evaluations { member: Evaluation }
structure Evaluation {
    types: Names
    description: String
    details: Details
    applicableFields: Names
    @required
    status: EvaluationStatus
}
map Details { key: String, value: String }
list Names { member: String }
enum EvaluationStatus {
    PASS
    FAIL
}
""",
}

#: form types whose content is posted as time-series data points, never as asset forms
TIME_SERIES_FORM_TYPES = frozenset({DATA_QUALITY_FORM_TYPE})

# asset type -> formName -> (form type, required)
_TECHNICAL = {
    GLUE_TABLE_ASSET_TYPE: ("GlueTableForm", GLUE_TABLE_FORM_TYPE),
    GLUE_VIEW_ASSET_TYPE: ("GlueViewForm", GLUE_VIEW_FORM_TYPE),
    REDSHIFT_TABLE_ASSET_TYPE: ("RedshiftTableForm", REDSHIFT_TABLE_FORM_TYPE),
    REDSHIFT_VIEW_ASSET_TYPE: ("RedshiftViewForm", REDSHIFT_VIEW_FORM_TYPE),
    S3_COLLECTION_ASSET_TYPE: ("S3ObjectCollectionForm", S3_COLLECTION_FORM_TYPE),
}
ASSET_TYPES: dict[str, dict[str, tuple[str, bool]]] = {
    asset_type: {
        form: (form_type, True),
        "ColumnBusinessMetadataForm": (COLUMN_METADATA_FORM_TYPE, False),
        "AssetCommonDetailsForm": (COMMON_DETAILS_FORM_TYPE, False),
        "DataSourceReferenceForm": (DATA_SOURCE_REFERENCE_FORM_TYPE, False),
    }
    for asset_type, (form, form_type) in _TECHNICAL.items()
}
# Forms the service writes and users only read (returned in readOnlyFormsOutput).
READ_ONLY_FORMS = {"DataSourceReferenceForm"}


def is_managed(name: str) -> bool:
    return name.startswith(PREFIX)


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
