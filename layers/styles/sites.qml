<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- claimmap sites layer: points coloured by status. QGIS loads it with sites.gpkg/.shp/.fgb of the same name. -->
<qgis version="3.28" styleCategories="Symbology|Labeling">
  <renderer-v2 type="categorizedSymbol" attr="status" enableorderby="0" forceraster="0" symbollevels="0">
    <categories>
      <category value="inside" symbol="0" label="inside a disputed area" render="true"/>
      <category value="near" symbol="1" label="near a disputed area" render="true"/>
      <category value="undisputed" symbol="2" label="undisputed" render="true"/>
    </categories>
    <symbols>
    <symbol name="0" type="marker" alpha="1" clip_to_extent="1" force_rhr="0">
      <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
        <Option type="Map">
          <Option name="color" type="QString" value="215,25,28,255"/>
          <Option name="name" type="QString" value="circle"/>
          <Option name="outline_color" type="QString" value="35,35,35,255"/>
          <Option name="outline_width" type="QString" value="0.2"/>
          <Option name="size" type="QString" value="3"/>
        </Option>
      </layer>
    </symbol>
    <symbol name="1" type="marker" alpha="1" clip_to_extent="1" force_rhr="0">
      <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
        <Option type="Map">
          <Option name="color" type="QString" value="253,174,97,255"/>
          <Option name="name" type="QString" value="circle"/>
          <Option name="outline_color" type="QString" value="35,35,35,255"/>
          <Option name="outline_width" type="QString" value="0.2"/>
          <Option name="size" type="QString" value="2.6"/>
        </Option>
      </layer>
    </symbol>
    <symbol name="2" type="marker" alpha="1" clip_to_extent="1" force_rhr="0">
      <layer class="SimpleMarker" enabled="1" locked="0" pass="0">
        <Option type="Map">
          <Option name="color" type="QString" value="120,120,120,255"/>
          <Option name="name" type="QString" value="circle"/>
          <Option name="outline_color" type="QString" value="35,35,35,255"/>
          <Option name="outline_width" type="QString" value="0.2"/>
          <Option name="size" type="QString" value="2"/>
        </Option>
      </layer>
    </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="name" fontSize="9" textColor="20,20,20,255" isExpression="0"/>
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferColor="255,255,255,255"/>
      <placement placement="1" dist="1.5"/>
    </settings>
  </labeling>
  <layerGeometryType>0</layerGeometryType>
</qgis>
